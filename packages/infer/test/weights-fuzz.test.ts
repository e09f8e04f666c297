// The weights fuzzer: mutates weights files on a fixed seed (bit flips, inserted and deleted
// bytes, overwritten runs, edited offsets, dtypes and header lengths, with and without a
// recomputed checksum) and checks that the reader never crashes or hangs, names the file in
// every error, and that no mutant it accepts answers differently from the original.
// Version 2 and 3 files (3: the layer graph in the header) must reject every answer-changing
// mutant; version 1 files (no checksum) cannot see a changed value that stays valid, and the
// test shows that this is all they miss.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ExpressionClassifier, paperInferenceCrop } from "../src/index.js";
import { decodeWeights, encodeWeights, WeightsFormatError } from "../src/weights-format.js";
import { loadFixturePhoto } from "./image/fixture.js";
import { dsnetGraph, randomGraphNetwork } from "./graphs.js";
import { LABELS, layoutOf, randomNetwork, toVersion1, withChecksum, withHeader } from "./weights-files.js";
import { seededRandom } from "../../../test-support/random.js";

const SEED = 20261203;
const PER_KIND = 150;

function generator(seed: number): (n: number) => number {
  const random = seededRandom(seed);
  return (n) => Math.floor(random() * n);
}

type Kind = "bit flip" | "insert" | "delete" | "overwrite" | "offset" | "dtype" | "header length" | "offset, checksum fixed" | "dtype, checksum fixed";
const KINDS: Kind[] = ["bit flip", "insert", "delete", "overwrite", "offset", "dtype", "header length", "offset, checksum fixed", "dtype, checksum fixed"];
/** Mutations that change bytes in place and keep the layout: all a file without a checksum cannot see. */
const IN_PLACE: Kind[] = ["bit flip", "overwrite"];

interface TensorRow {
  offset: number;
  dtype: string;
}

function mutate(bytes: Uint8Array, kind: Kind, random: (n: number) => number): Uint8Array {
  const at = random(bytes.length);
  const tensorDraw = random(1 << 16);
  const tensors = (h: Record<string, unknown>) => h.tensors as TensorRow[];
  const pick = (h: Record<string, unknown>) => tensors(h)[tensorDraw % tensors(h).length];
  const offsetDelta = [-4, 4, 2, 1, 4096, -65536][random(6)];
  switch (kind) {
    case "bit flip": {
      const out = bytes.slice();
      out[at] ^= 1 << random(8);
      return out;
    }
    case "insert": {
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, at));
      out[at] = random(256);
      out.set(bytes.subarray(at), at + 1);
      return out;
    }
    case "delete": {
      const out = new Uint8Array(bytes.length - 1);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + 1), at);
      return out;
    }
    case "overwrite": {
      const out = bytes.slice();
      for (let i = at; i < Math.min(out.length, at + 1 + random(16)); i++) out[i] = random(256);
      return out;
    }
    case "offset":
    case "offset, checksum fixed":
      return withHeader(bytes, (h) => (pick(h).offset += offsetDelta), kind !== "offset");
    case "dtype":
    case "dtype, checksum fixed":
      return withHeader(bytes, (h) => (pick(h).dtype = pick(h).dtype === "float16" ? "float32" : "float16"), kind !== "dtype");
    case "header length": {
      const out = bytes.slice();
      const view = new DataView(out.buffer);
      view.setUint32(8, view.getUint32(8, true) + [-1, 1, -4, 4, 1 << 20][random(5)], true);
      return out;
    }
  }
}

const photo = loadFixturePhoto();
/** The answers compared: the fixture face (two boxes) and a flat gray face. */
const INPUTS = (() => {
  const crops = [paperInferenceCrop(photo, { x: 40, y: 30, width: 120, height: 130 }), paperInferenceCrop(photo), new Float32Array(84 * 84).fill(128)];
  const out = new Float32Array(crops.length * 84 * 84);
  crops.forEach((c, i) => out.set(c, i * 84 * 84));
  return { data: out, count: crops.length };
})();

async function answers(bytes: Uint8Array, engine: "js" | "wasm"): Promise<string> {
  const classifier = await ExpressionClassifier.create(bytes, { engine, source: "mutant.mxw" });
  try {
    const predictions = classifier.classifyInputs(INPUTS.data, INPUTS.count);
    // Everything a caller sees: labels, the normalisation, and every logit to the bit.
    return JSON.stringify({ labels: classifier.labels, normalization: classifier.weights.normalization, logits: predictions.map((p) => Array.from(p.logits)) });
  } catch (error) {
    return `error: ${(error as Error).message}`; // an error is an answer the caller cannot miss
  }
}

interface Tally {
  rejected: number;
  acceptedSame: number;
  /** Accepted mutants whose answers differ from the original's, by kind. */
  changed: Map<Kind, number>;
}

async function fuzz(original: Uint8Array, seed: number, engines: readonly ("js" | "wasm")[], perKind = PER_KIND): Promise<Tally> {
  const random = generator(seed);
  // Each engine against its own answers on the original (they agree to about 1e-6, not to the bit).
  const reference = new Map<string, string>();
  for (const engine of engines) reference.set(engine, await answers(original, engine));
  const tally: Tally = { rejected: 0, acceptedSame: 0, changed: new Map() };
  for (const kind of KINDS) {
    for (let i = 0; i < perKind; i++) {
      const mutant = mutate(original, kind, random);
      try {
        decodeWeights(mutant, "mutant.mxw");
      } catch (error) {
        expect(error, `${kind}: ${(error as Error).message}`).toBeInstanceOf(WeightsFormatError);
        expect((error as Error).message).toMatch(/^mutant\.mxw: /);
        tally.rejected++;
        continue;
      }
      // Accepted: every engine must answer as the original did (or throw).
      let same = true;
      for (const engine of engines) same &&= (await answers(mutant, engine)) === reference.get(engine);
      if (same) tally.acceptedSame++;
      else tally.changed.set(kind, (tally.changed.get(kind) ?? 0) + 1);
    }
  }
  return tally;
}

const shipped = new Uint8Array(readFileSync(new URL("../weights/microexpnet-fer2013.mxw", import.meta.url)));
const float32 = encodeWeights(randomNetwork("p12-XXS", 8, 11), { labels: LABELS, model: { name: "fuzz", version: "0.0.1" } });
/** A graph only version 3 can hold, run by the TypeScript engine only. */
const dsnet = encodeWeights(randomGraphNetwork(dsnetGraph(7), 12), { labels: LABELS.slice(1), dtype: "float16", model: { name: "fuzz-dsnet" } });

describe("weights fuzzer (fixed seed)", () => {
  it.each([
    ["the shipped float16 weights", 2, shipped, ["js", "wasm"], PER_KIND],
    ["float32 family weights", 3, float32, ["js", "wasm"], PER_KIND],
    ["float16 dsnet weights", 3, dsnet, ["js"], 40],
  ] as const)(
    "every mutant of %s (version %i) that changes an answer is rejected, naming the file",
    async (_, version, file, engines, perKind) => {
      expect(new DataView(file.buffer, file.byteOffset).getUint32(4, true)).toBe(version);
      const tally = await fuzz(file, SEED, engines, perKind);
      console.log(`v${version} ${_}: ${KINDS.length * perKind} mutants, ${tally.rejected} rejected, ${tally.acceptedSame} accepted with the same answers`);
      expect(Object.fromEntries(tally.changed)).toEqual({});
      expect(tally.rejected).toBeGreaterThan(KINDS.length * perKind * 0.99);
    },
  );

  it("version 1 (no checksum): only values changed in place get through; layout edits are all rejected", async () => {
    const v1 = toVersion1(shipped);
    // One engine, fewer mutants: most are accepted and classified, which is slower than rejecting.
    const tally = await fuzz(v1, SEED + 1, ["js"], 60);
    const changed = Object.fromEntries(tally.changed);
    console.log(`v1: ${KINDS.length * 60} mutants, ${tally.rejected} rejected, ${tally.acceptedSame} accepted with the same answers, accepted with other answers:`, changed);
    for (const kind of Object.keys(changed)) expect(IN_PLACE, `a ${kind} mutant of a version 1 file changed an answer`).toContain(kind);
    // The limit version 2 removes: bit flips inside the data section change weights unseen.
    expect(changed["bit flip"]).toBeGreaterThan(0);
    expect(layoutOf(v1).preamble).toBe(12);
  });

  it("a forger who fixes the checksum still cannot move or retype a tensor", () => {
    for (let tensor = 0; tensor < 8; tensor++) {
      const moved = withHeader(float32, (h) => ((h.tensors as TensorRow[])[tensor].offset += 4));
      expect(() => decodeWeights(moved, "f.mxw")).toThrow(/^f\.mxw: tensor \w+ is at offset/);
      const retyped = withHeader(float32, (h) => ((h.tensors as TensorRow[])[tensor].dtype = "float16"));
      expect(() => decodeWeights(retyped, "f.mxw")).toThrow(/^f\.mxw: /);
    }
    expect(decodeWeights(withChecksum(float32)).labels).toEqual(LABELS);
  });
});
