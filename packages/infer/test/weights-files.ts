// Test helpers that build and take apart weights files byte by byte (the format is in
// src/weights-format.ts): random networks, header rewrites, version 1 copies.
import type { NetworkWeights, TensorName } from "../src/architecture.js";
import { describeArchitecture, tensorShapes } from "../src/architecture.js";
import { familyNetwork } from "../src/graph/family.js";
import { crc32 } from "../src/crc32.js";

export const LABELS = ["neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"];

export function randomNetwork(id = "p12-XXS", numClasses = 8, seed = 7): NetworkWeights {
  const spec = describeArchitecture(id, numClasses);
  const shapes = tensorShapes(spec);
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const tensors = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => [name, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand)]),
  ) as Record<TensorName, Float32Array>;
  return familyNetwork(spec, tensors);
}

const preambleOf = (bytes: Uint8Array): number => (new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true) === 1 ? 12 : 16);

/** Where a file's header and data start (either format version). */
export function layoutOf(bytes: Uint8Array): { preamble: number; headerLength: number; dataStart: number } {
  const preamble = preambleOf(bytes);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { preamble, headerLength, dataStart: (preamble + headerLength + 3) & ~3 };
}

/** Writes a version 2 file's checksum as the format computes it (a forger's fix-up; no-op for v1). */
export function withChecksum(bytes: Uint8Array): Uint8Array {
  if (preambleOf(bytes) === 12) return bytes;
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(12, crc32(out.subarray(16), crc32(out.subarray(0, 12))), true);
  return out;
}

/**
 * Rewrites a file's JSON header (and its length field), keeping the data section as it is;
 * the checksum of a version 2 file is recomputed unless `checksum` is false.
 */
export function withHeader(bytes: Uint8Array, mutate: (header: Record<string, unknown>) => void, checksum = true): Uint8Array {
  const { preamble, headerLength, dataStart } = layoutOf(bytes);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(preamble, preamble + headerLength)));
  mutate(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const newStart = (preamble + json.length + 3) & ~3;
  const out = new Uint8Array(newStart + bytes.length - dataStart);
  out.set(bytes.subarray(0, preamble));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, preamble);
  out.set(bytes.subarray(dataStart), newStart);
  return checksum ? withChecksum(out) : out;
}

/** The same file in format version 1 (as published before version 2): no checksum, a 12-byte preamble. */
export function toVersion1(bytes: Uint8Array): Uint8Array {
  if (preambleOf(bytes) === 12) return bytes;
  const { headerLength, dataStart } = layoutOf(bytes);
  const header = bytes.subarray(16, 16 + headerLength);
  const start = (12 + headerLength + 3) & ~3;
  const out = new Uint8Array(start + bytes.length - dataStart);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 1, true);
  out.set(header, 12);
  out.set(bytes.subarray(dataStart), start);
  return out;
}
