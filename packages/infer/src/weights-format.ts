/**
 * The microexp weights format (".mxw"), version 1. One file holds one network:
 *
 *   offset 0   4 bytes   magic "MXNW"
 *   offset 4   uint32    format version (little-endian), currently 1
 *   offset 8   uint32    header length H in bytes
 *   offset 12  H bytes   header: UTF-8 JSON (WeightsHeader below)
 *   then zero padding to a multiple of 4 bytes, then the tensor data: for each tensor in the
 *   header's order, its values little-endian (float32, or float16 when quantised), at the
 *   byte offset the header gives, counted from the start of the data section.
 *
 * The header is JSON so that it can grow (model card fields) without a format bump; the
 * reader checks every field it relies on and rejects anything it cannot run.
 */
import type { ArchitectureId, NetworkWeights, TensorName } from "./architecture.js";
import { describeArchitecture, tensorShapes, TENSOR_NAMES } from "./architecture.js";

export const WEIGHTS_MAGIC = "MXNW";
export const WEIGHTS_FORMAT_VERSION = 1;
const PREAMBLE_BYTES = 12;

export type TensorDtype = "float32" | "float16";

export interface TensorEntry {
  name: TensorName;
  shape: number[];
  dtype: TensorDtype;
  /** Byte offset from the start of the data section. */
  offset: number;
}

/** How raw pixels become network input: input = pixel * scale + offset (identity for the paper). */
export interface Normalization {
  scale: number;
  offset: number;
}

/** Model-card fields carried in the file; all free-form except `version`. */
export interface ModelInfo {
  name?: string;
  /** The weights' own version, e.g. "1.0.0". */
  version?: string;
  description?: string;
  license?: string;
  source?: string;
  [key: string]: unknown;
}

export interface WeightsHeader {
  architecture: ArchitectureId;
  inputSize: number;
  /** Class names in output order. */
  labels: string[];
  normalization: Normalization;
  tensors: TensorEntry[];
  model?: ModelInfo;
}

/** A decoded weights file: the network plus its labels and metadata. */
export interface ModelWeights {
  network: NetworkWeights;
  labels: string[];
  normalization: Normalization;
  model: ModelInfo;
}

export class WeightsFormatError extends Error {
  constructor(message: string, source?: string) {
    super(source ? `${source}: ${message}` : message);
    this.name = "WeightsFormatError";
  }
}

export interface EncodeOptions {
  labels: string[];
  normalization?: Normalization;
  model?: ModelInfo;
  /** Store tensors as float16 (half the size; about 3 significant digits). */
  dtype?: TensorDtype;
}

const BYTES: Record<TensorDtype, number> = { float32: 4, float16: 2 };
/** Typed arrays use the platform's byte order; the format is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function align4(n: number): number {
  return (n + 3) & ~3;
}

export function encodeWeights(network: NetworkWeights, options: EncodeOptions): Uint8Array {
  const { spec } = network;
  const dtype = options.dtype ?? "float32";
  if (options.labels.length !== spec.numClasses) {
    throw new WeightsFormatError(`${options.labels.length} labels given for a network with ${spec.numClasses} outputs`);
  }
  const shapes = tensorShapes(spec);
  const tensors: TensorEntry[] = [];
  let dataBytes = 0;
  for (const name of TENSOR_NAMES) {
    const size = shapes[name].reduce((a, b) => a * b, 1);
    if (network.tensors[name].length !== size) {
      throw new WeightsFormatError(`tensor ${name} has ${network.tensors[name].length} values, ${spec.id} needs ${size}`);
    }
    tensors.push({ name, shape: shapes[name], dtype, offset: dataBytes });
    dataBytes += align4(size * BYTES[dtype]);
  }
  const header: WeightsHeader = {
    architecture: spec.id,
    inputSize: spec.inputSize,
    labels: options.labels,
    normalization: options.normalization ?? { scale: 1, offset: 0 },
    tensors,
    ...(options.model ? { model: options.model } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREAMBLE_BYTES + headerBytes.length);
  const out = new Uint8Array(dataStart + dataBytes);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(WEIGHTS_MAGIC), 0);
  view.setUint32(4, WEIGHTS_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  for (const entry of tensors) {
    const values = network.tensors[entry.name];
    const base = dataStart + entry.offset;
    if (dtype === "float32" && LITTLE_ENDIAN) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), base);
    else if (dtype === "float32") values.forEach((v, i) => view.setFloat32(base + 4 * i, v, true));
    else values.forEach((v, i) => view.setUint16(base + 2 * i, toFloat16Bits(v), true));
  }
  return out;
}

/**
 * Reads a weights file. `source` (a path or URL) only serves to name the file in errors.
 * Rejects a bad magic, an unknown version, a truncated file, a tensor of the wrong size for
 * the architecture, and non-finite values.
 */
export function decodeWeights(bytes: Uint8Array | ArrayBuffer, source?: string): ModelWeights {
  // A plain Uint8Array view: Node's Buffer overrides slice() to share memory instead of copying.
  const buf = bytes instanceof Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const fail = (message: string): never => {
    throw new WeightsFormatError(message, source);
  };
  if (buf.length < PREAMBLE_BYTES) fail(`not a microexp weights file: only ${buf.length} bytes`);
  const magic = String.fromCharCode(buf[0], buf[1], buf[2], buf[3]);
  if (magic !== WEIGHTS_MAGIC) fail(`not a microexp weights file: bad magic ${JSON.stringify(magic)} (expected "${WEIGHTS_MAGIC}")`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (version !== WEIGHTS_FORMAT_VERSION) {
    fail(`weights format version ${version} is not supported (this @microexp/infer reads version ${WEIGHTS_FORMAT_VERSION})`);
  }
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > buf.length) fail(`truncated: header of ${headerLength} bytes, file of ${buf.length}`);
  let header: WeightsHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)));
  } catch (error) {
    return fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(header.labels) || header.labels.some((l) => typeof l !== "string")) fail("header.labels must be a list of names");
  let spec;
  try {
    spec = describeArchitecture(String(header.architecture), header.labels.length);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (header.inputSize !== spec.inputSize) fail(`inputSize ${header.inputSize} does not match ${spec.id} (${spec.inputSize})`);
  const normalization = header.normalization ?? { scale: 1, offset: 0 };
  if (!Number.isFinite(normalization.scale) || !Number.isFinite(normalization.offset)) fail("normalization must have finite scale and offset");
  const dataStart = align4(PREAMBLE_BYTES + headerLength);
  const shapes = tensorShapes(spec);
  const tensors = {} as Record<TensorName, Float32Array>;
  for (const name of TENSOR_NAMES) {
    const entry = (header.tensors ?? []).find((t) => t.name === name);
    if (!entry) return fail(`tensor ${name} is missing`);
    const expected = shapes[name];
    if (!Array.isArray(entry.shape) || entry.shape.join(",") !== expected.join(",")) {
      fail(`tensor ${name} has shape [${entry.shape}], ${spec.id} with ${spec.numClasses} classes needs [${expected}]`);
    }
    if (entry.dtype !== "float32" && entry.dtype !== "float16") fail(`tensor ${name} has unsupported dtype ${JSON.stringify(entry.dtype)}`);
    const count = expected.reduce((a, b) => a * b, 1);
    const start = dataStart + entry.offset;
    const end = start + count * BYTES[entry.dtype];
    if (!Number.isInteger(entry.offset) || entry.offset < 0 || end > buf.length) {
      fail(`truncated: tensor ${name} needs bytes ${start}..${end}, file has ${buf.length}`);
    }
    let values: Float32Array;
    if (entry.dtype === "float32" && LITTLE_ENDIAN) values = new Float32Array(buf.slice(start, end).buffer);
    else if (entry.dtype === "float32") values = Float32Array.from({ length: count }, (_, i) => view.getFloat32(start + 4 * i, true));
    else values = Float32Array.from({ length: count }, (_, i) => fromFloat16Bits(view.getUint16(start + 2 * i, true)));
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(values[i])) fail(`tensor ${name} holds a non-finite value (${values[i]}) at index ${i}`);
    }
    tensors[name] = values;
  }
  return { network: { spec, tensors }, labels: header.labels, normalization, model: header.model ?? {} };
}

/** IEEE 754 half precision, round-to-nearest-even. */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = sign | (e << 10) | half;
  // A carry out of the mantissa rolls into the exponent, which is the correct rounding.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) out++;
  return out;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
