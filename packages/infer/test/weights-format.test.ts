import { describe, expect, it } from "vitest";
import type { NetworkWeights, TensorName } from "../src/architecture.js";
import { describeArchitecture, tensorShapes } from "../src/architecture.js";
import { decodeWeights, encodeWeights, fromFloat16Bits, toFloat16Bits, WEIGHTS_FORMAT_VERSION } from "../src/weights-format.js";

const LABELS = ["neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"];

function randomNetwork(id = "p12-XXS", numClasses = 8): NetworkWeights {
  const spec = describeArchitecture(id, numClasses);
  const shapes = tensorShapes(spec);
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const tensors = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => [name, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand)]),
  ) as Record<TensorName, Float32Array>;
  return { spec, tensors };
}

/** Rewrites a file's JSON header (and its length field), keeping the data section as it is. */
function withHeader(bytes: Uint8Array, mutate: (header: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  mutate(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = (12 + length + 3) & ~3;
  const newStart = (12 + json.length + 3) & ~3;
  const out = new Uint8Array(newStart + bytes.length - dataStart);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(dataStart), newStart);
  return out;
}

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

  const good = () => encodeWeights(randomNetwork(), { labels: LABELS });

  it("rejects a bad magic, naming the file", () => {
    const bytes = good();
    bytes[0] = 0x50;
    expect(() => decodeWeights(bytes, "model.mxw")).toThrow(/model\.mxw: not a microexp weights file: bad magic/);
  });

  it("rejects an unknown format version", () => {
    const bytes = good();
    new DataView(bytes.buffer).setUint32(4, WEIGHTS_FORMAT_VERSION + 1, true);
    expect(() => decodeWeights(bytes, "m.mxw")).toThrow(/version 2 is not supported/);
  });

  it("rejects a truncated file", () => {
    const bytes = good();
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 1), "m.mxw")).toThrow(/m\.mxw: truncated: tensor bo/);
    expect(() => decodeWeights(bytes.subarray(0, 40), "m.mxw")).toThrow(/truncated: header/);
    expect(() => decodeWeights(bytes.subarray(0, 3), "m.mxw")).toThrow(/only 3 bytes/);
  });

  it("rejects a tensor whose size does not fit the architecture", () => {
    const network = randomNetwork();
    // Same tensors, but the header claims a wider fc1 than the data has.
    const bytes = encodeWeights(network, { labels: LABELS });
    const patched = withHeader(bytes, (h) => (h.architecture = "p12-XS"));
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
