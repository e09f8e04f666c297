import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TensorName } from "../src/architecture.js";
import { TENSOR_NAMES } from "../src/architecture.js";
import { crc32 } from "../src/crc32.js";
import { MODEL_ZOO } from "../src/model-zoo.js";
import { decodeWeights, encodeWeights, fromFloat16Bits, toFloat16Bits, WEIGHTS_FORMAT_VERSION } from "../src/weights-format.js";
import { createJsEngine } from "../src/forward-js.js";
import { dsnetGraph, randomGraphNetwork } from "./graphs.js";
import { LABELS, layoutOf, randomNetwork, toVersion1, withChecksum, withHeader } from "./weights-files.js";

describe("weights format", () => {
  it("round-trips a network, its labels and its model card exactly", () => {
    const network = randomNetwork("p2-S", 7);
    const bytes = encodeWeights(network, { labels: LABELS.slice(1), model: { name: "t", version: "1.2.3" } });
    const decoded = decodeWeights(bytes);
    expect(decoded.network.spec).toEqual(network.spec);
    expect(decoded.labels).toEqual(LABELS.slice(1));
    expect(decoded.model.version).toBe("1.2.3");
    for (const name of Object.keys(network.tensors) as TensorName[]) expect(decoded.network.tensors[name]).toEqual(network.tensors[name]);
  });

  it("reads from a Node Buffer that is a view into a larger buffer", () => {
    const network = randomNetwork();
    const bytes = encodeWeights(network, { labels: LABELS });
    const pool = Buffer.alloc(bytes.length + 100);
    pool.set(bytes, 52);
    const decoded = decodeWeights(pool.subarray(52, 52 + bytes.length));
    expect(decoded.network.tensors.wc1.length).toBe(1024);
    expect(decoded.network.tensors.bo).toEqual(network.tensors.bo);
  });

  it("stores float16 at half the size, within half-precision rounding", () => {
    const network = randomNetwork();
    const full = encodeWeights(network, { labels: LABELS });
    const half = encodeWeights(network, { labels: LABELS, dtype: "float16" });
    expect(half.length).toBeLessThan(full.length * 0.51);
    const decoded = decodeWeights(half);
    network.tensors.wfc.forEach((v, i) => expect(Math.abs(decoded.network.tensors.wfc[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -24));
  });

  it("converts float16 like IEEE 754", () => {
    for (const [value, bits] of [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -24, 0x0001], [0.1, 0x2e66], [Infinity, 0x7c00], [1e6, 0x7c00]] as const) {
      expect(toFloat16Bits(value)).toBe(bits);
    }
    expect(fromFloat16Bits(0x2e66)).toBeCloseTo(0.0999755859375, 12);
  });

  const good = () => encodeWeights(randomNetwork(), { labels: LABELS, formatVersion: 2 });

  it("rejects a bad magic, naming the file", () => {
    const bytes = good();
    bytes[0] = 0x50;
    expect(() => decodeWeights(bytes, "model.mxw")).toThrow(/model\.mxw: not a microexp weights file: bad magic/);
  });

  it("rejects an unknown format version", () => {
    const bytes = good();
    new DataView(bytes.buffer).setUint32(4, WEIGHTS_FORMAT_VERSION + 1, true);
    expect(() => decodeWeights(bytes, "m.mxw")).toThrow(/m\.mxw: weights format version 4 is not supported \(this @microexp\/infer reads versions 1, 2 and 3\)/);
  });

  it("rejects a truncated file", () => {
    const bytes = good();
    expect(() => decodeWeights(bytes.subarray(0, 40), "m.mxw")).toThrow(/truncated: header/);
    expect(() => decodeWeights(bytes.subarray(0, 3), "m.mxw")).toThrow(/only 3 bytes/);
    const v1 = toVersion1(bytes);
    expect(() => decodeWeights(v1.subarray(0, v1.length - 1), "m.mxw")).toThrow(/m\.mxw: truncated: tensor bo/);
    expect(() => decodeWeights(withChecksum(bytes.subarray(0, bytes.length - 4)), "m.mxw")).toThrow(/m\.mxw: truncated: tensor bo/);
  });

  it("rejects a tensor whose size does not fit the architecture", () => {
    const network = randomNetwork();
    // Same tensors, but the header claims a wider fc1 than the data has.
    const patched = withHeader(encodeWeights(network, { labels: LABELS, formatVersion: 2 }), (h) => (h.architecture = "p12-XS"));
    expect(() => decodeWeights(patched, "m.mxw")).toThrow(/tensor wfc has shape \[1152,48\], p12-XS with 8 classes needs \[1152,96\]/);
    expect(() => encodeWeights({ ...network, tensors: { ...network.tensors, bo: new Float32Array(3) } }, { labels: LABELS })).toThrow(/bo has 3 values/);
  });

  it("rejects labels that do not match the outputs", () => {
    expect(() => encodeWeights(randomNetwork(), { labels: LABELS.slice(0, 7) })).toThrow(/7 labels given for a network with 8 outputs/);
  });

  it("rejects non-finite values", () => {
    const network = randomNetwork();
    network.tensors.bc2[5] = NaN;
    expect(() => decodeWeights(encodeWeights(network, { labels: LABELS }), "m.mxw")).toThrow(/m\.mxw: tensor bc2 holds a non-finite value \(NaN\) at index 5/);
  });

  it("rejects an unknown architecture", () => {
    const patched = withHeader(good(), (h) => (h.architecture = "p13-XXS"));
    expect(decodeWeights(withHeader(good(), () => {})).labels).toEqual(LABELS); // the rewrite itself is sound
    expect(() => decodeWeights(patched, "m.mxw")).toThrow(/m\.mxw: Unknown architecture "p13-XXS"/);
  });
});

describe("weights format version 2: self-checking", () => {
  const good = () => encodeWeights(randomNetwork(), { labels: LABELS, dtype: "float16", model: { name: "t" }, formatVersion: 2 });

  it("writes version 2 with the CRC-32 of every byte but its own", () => {
    const bytes = good();
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(4, true)).toBe(2);
    expect(view.getUint32(12, true)).toBe(crc32(bytes.subarray(16), crc32(bytes.subarray(0, 12))));
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926); // the standard check value
  });

  it("finds one flipped bit anywhere: header, padding or data", () => {
    const bytes = good();
    const { dataStart } = layoutOf(bytes);
    for (const at of [5, 20, dataStart - 1, dataStart, dataStart + 1001, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x40;
      expect(() => decodeWeights(flipped, "m.mxw"), `byte ${at}`).toThrow(/m\.mxw: /);
    }
    const weight = bytes.slice();
    weight[dataStart + 1001] ^= 0x01; // a small change of one weight: still finite, still plausible
    expect(() => decodeWeights(weight, "m.mxw")).toThrow(/m\.mxw: checksum mismatch: the file is damaged \(stored CRC-32 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}\)$/);
    const cut = bytes.subarray(0, bytes.length - 8);
    expect(() => decodeWeights(cut, "m.mxw")).toThrow(/m\.mxw: truncated: tensor bo needs bytes \d+\.\.\d+, file has \d+ \(and the checksum does not match: the file is damaged\)$/);
  });

  it("rejects tensors out of order, not one after the other, or bytes after the data (checksum or not)", () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["gap", withHeader(good(), (h) => ((h.tensors as { offset: number }[])[7].offset += 4)), /tensor bo is at offset \d+, expected \d+ \(tensors are stored one after the other\)/],
      ["order", withHeader(good(), (h) => (h.tensors as unknown[]).reverse()), /header.tensors\[0\] is "bo", expected wc1/],
      ["dtype", withHeader(good(), (h) => ((h.tensors as { dtype: string }[])[3].dtype = "float32")), /tensor wfc is at offset 18528, expected 18592/],
      ["tail", withChecksum(Uint8Array.from([...good(), 0, 0, 0, 0])), /the file is \d+ bytes, but its data ends at byte \d+/],
    ];
    for (const [what, bytes, message] of cases) {
      expect(() => decodeWeights(bytes, "m.mxw"), what).toThrow(new RegExp(`m\\.mxw: ${message.source}`));
      expect(() => decodeWeights(toVersion1(bytes), "v1.mxw"), `${what} (v1)`).toThrow(/v1\.mxw: /);
    }
  });

  it("type-checks the header's fields, naming the file", () => {
    const cases: [(h: Record<string, unknown>) => void, RegExp][] = [
      [(h) => (h.labels = "happy"), /header: labels must be a list of names/],
      [(h) => ((h.labels as unknown[])[2] = 3), /header: label 2 is not a string \(3\)/],
      [(h) => ((h.labels as string[])[2] = ""), /header: label 2 is empty/],
      [(h) => ((h.labels as string[])[2] = " happy"), /header: label 2 " happy" has leading or trailing spaces/],
      [(h) => ((h.labels as string[])[2] = "hap\u0007py"), /header: label 2 "hap\\u0007py" holds a control character/],
      [(h) => ((h.labels as string[])[2] = "happy"), /header: label "happy" appears twice/],
      [(h) => (h.architecture = 12), /header.architecture must be a string, got 12/],
      [(h) => (h.inputSize = "84"), /inputSize "84" does not match p12-XXS \(84\)/],
      [(h) => (h.normalization = { scale: 1e39, offset: 0 }), /header: normalization.scale must be a number finite in float32, got 1e\+39/],
      [(h) => (h.normalization = { scale: 1, offset: "0" }), /header: normalization.offset must be a number finite in float32, got "0"/],
      [(h) => (h.normalization = { scale: 0, offset: 0 }), /header: normalization.scale is 0: every image would give the same answer/],
      [(h) => delete h.normalization, /header: normalization must be an object \{ scale, offset \}/],
      [(h) => (h.model = ["x"]), /header.model must be an object/],
      [(h) => (h.tensors = {}), /header.tensors must list the 8 tensors wc1 bc1 wc2 bc2 wfc bfc wo bo/],
      [(h) => ((h.tensors as unknown[])[1] = null), /header.tensors\[1\] must be an object/],
      [(h) => ((h.tensors as { dtype: string }[])[1].dtype = "int8"), /tensor bc1 has unsupported dtype "int8"/],
    ];
    for (const [mutate, message] of cases) {
      expect(() => decodeWeights(withHeader(good(), mutate), "m.mxw"), message.source).toThrow(new RegExp(`m\\.mxw: ${message.source}`));
    }
    const notObject = Uint8Array.from([...new TextEncoder().encode("MXNW"), 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode("[1]"), 0]);
    expect(() => decodeWeights(withChecksum(notObject), "m.mxw")).toThrow(/m\.mxw: header must be a JSON object/);
  });

  it("names the file in every error, with a default name when none is given", () => {
    expect(() => decodeWeights(new Uint8Array(5))).toThrow(/^weights file: not a microexp weights file: only 5 bytes$/);
  });

  it("refuses to write labels or a normalisation it would not read", () => {
    expect(() => encodeWeights(randomNetwork(), { labels: [...LABELS.slice(0, 7), "neutral"] })).toThrow(/label "neutral" appears twice/);
    expect(() => encodeWeights(randomNetwork(), { labels: [...LABELS.slice(0, 7), "\n"] })).toThrow(/label 7 is empty/);
    expect(() => encodeWeights(randomNetwork(), { labels: LABELS, normalization: { scale: NaN, offset: 0 } })).toThrow(/normalization.scale/);
  });

  it("still reads format version 1, the version the first weights were published in", () => {
    const bytes = good();
    const v1 = toVersion1(bytes);
    expect(new DataView(v1.buffer).getUint32(4, true)).toBe(1);
    expect(decodeWeights(v1)).toEqual(decodeWeights(bytes));
    for (const { file } of Object.values(MODEL_ZOO)) {
      const shipped = readFileSync(new URL(`../weights/${file}`, import.meta.url));
      if (shipped.readUInt32LE(4) === 3) continue; // a layer graph (dsnet): version 1 has no way to say it
      expect(decodeWeights(toVersion1(shipped), file)).toEqual(decodeWeights(shipped, file));
    }
  });
});

describe("weights format version 3: the layer graph in the header", () => {
  const dsnet = () => randomGraphNetwork(dsnetGraph(7), 4);
  const labels7 = LABELS.slice(1);
  const good = () => encodeWeights(dsnet(), { labels: labels7, model: { name: "d" } });
  const image = Float32Array.from({ length: 2 * 84 * 84 }, (_, i) => (i * 29) % 256);

  it("writes version 3 by default, the graph in the header, and reads back the same network", () => {
    const network = dsnet();
    for (const dtype of ["float32", "float16"] as const) {
      const bytes = encodeWeights(network, { labels: labels7, dtype });
      const view = new DataView(bytes.buffer);
      expect(view.getUint32(4, true)).toBe(3);
      expect(view.getUint32(12, true)).toBe(crc32(bytes.subarray(16), crc32(bytes.subarray(0, 12))));
      const { preamble, headerLength } = layoutOf(bytes);
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(preamble, preamble + headerLength)));
      expect(header.graph).toEqual(network.graph);
      expect(header.architecture).toBeUndefined();
      const decoded = decodeWeights(bytes);
      expect(decoded.network.graph).toEqual(network.graph);
      expect(decoded.network.spec).toBeUndefined();
      if (dtype === "float32") {
        for (const name of Object.keys(network.tensors)) expect(decoded.network.tensors[name], name).toEqual(network.tensors[name]);
        expect(createJsEngine(decoded.network).forward(image, 2)).toEqual(createJsEngine(network).forward(image, 2));
      }
    }
  });

  it("stores tensors in the order the nodes name them", () => {
    const bytes = good();
    const { preamble, headerLength } = layoutOf(bytes);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(preamble, preamble + headerLength)));
    expect(header.tensors.slice(0, 5).map((t: { name: string }) => t.name)).toEqual(["stem/kernel", "stem/bias", "sep1_dw/kernel", "sep1_pw/kernel", "sep1_pw/bias"]);
    expect(header.tensors.at(-1).name).toBe("logits/bias");
  });

  it("keeps family members family members: the shipped weights in version 3 answer as in version 2, to the bit", () => {
    for (const { file } of Object.values(MODEL_ZOO)) {
      const shipped = decodeWeights(readFileSync(new URL(`../weights/${file}`, import.meta.url)), file);
      if (!shipped.network.spec) continue; // not a family member
      const { preamble, headerLength } = layoutOf(readFileSync(new URL(`../weights/${file}`, import.meta.url)));
      const dtype = JSON.parse(new TextDecoder().decode(readFileSync(new URL(`../weights/${file}`, import.meta.url)).subarray(preamble, preamble + headerLength))).tensors[0].dtype;
      const v3 = decodeWeights(encodeWeights(shipped.network, { labels: shipped.labels, normalization: shipped.normalization, model: shipped.model, dtype }), file);
      expect(v3.network.spec).toEqual(shipped.network.spec);
      expect(v3.network.graph).toEqual(shipped.network.graph);
      for (const name of TENSOR_NAMES) expect(v3.network.tensors[name]).toEqual(shipped.network.tensors[name]);
      expect(createJsEngine(v3.network).forward(image, 2)).toEqual(createJsEngine(shipped.network).forward(image, 2));
    }
  });

  it("rejects a graph or tensor table that does not fit, even with the checksum fixed", () => {
    type Nodes = Record<string, unknown>[];
    const nodes = (h: Record<string, unknown>) => (h.graph as { nodes: Nodes }).nodes;
    const cases: [string, (h: Record<string, unknown>) => void, RegExp][] = [
      ["no graph", (h) => delete h.graph, /header\.graph: must be an object \{ name, inputSize, nodes \}, got undefined/],
      ["wider stem", (h) => (nodes(h)[1].filters = 17), /tensor stem\/kernel has shape \[3,3,1,16\], dsnet with 7 classes needs \[3,3,1,17\]/],
      ["renamed tensor", (h) => (nodes(h)[1].bias = "stem/b"), /header\.tensors\[1\] is "stem\/bias", expected stem\/b/],
      ["padding it would ignore", (h) => (nodes(h)[1].padding = "valid"), /header\.graph "dsnet": node 1 \("stem"\) \(conv2d\) has a field "padding"/],
      ["cut residual", (h) => ((nodes(h).find((n) => n.name === "block1_add") as Record<string, unknown>).inputs = ["block1_pool", "block1_pool"]), /header\.graph "dsnet": the output of node "block1_skip" is never used/],
      ["architecture beside the graph", (h) => (h.architecture = "p12-XXS"), /header\.architecture is not part of a version 3 header/],
      ["labels", (h) => (h.labels = (h.labels as string[]).slice(1)), /header: 6 labels for graph dsnet, which has 7 outputs/],
      ["a family name on another graph", (h) => ((h.graph as { name: string }).name = "p12-XXS"), /header\.graph "p12-XXS" is not the p12-XXS family member's graph/],
    ];
    for (const [what, mutate, message] of cases) {
      expect(() => decodeWeights(withHeader(good(), mutate), "g.mxw"), what).toThrow(new RegExp(`^g\\.mxw: ${message.source}`));
    }
    const family = encodeWeights(randomNetwork(), { labels: LABELS });
    const relabelled = withHeader(family, (h) => (nodes(h)[0].filters = 24));
    expect(() => decodeWeights(relabelled, "g.mxw")).toThrow(/^g\.mxw: header\.graph "p12-XXS" is not the p12-XXS family member's graph/);
  });

  it("writes version 2 only for the paper's family", () => {
    expect(() => encodeWeights(dsnet(), { labels: labels7, formatVersion: 2 })).toThrow(/format version 2 holds only the paper's family; graph dsnet needs version 3/);
    const v2 = encodeWeights(randomNetwork(), { labels: LABELS, formatVersion: 2 });
    expect(new DataView(v2.buffer).getUint32(4, true)).toBe(2);
    expect(decodeWeights(v2)).toEqual(decodeWeights(encodeWeights(randomNetwork(), { labels: LABELS })));
  });
});
