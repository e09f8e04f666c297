/**
 * The microexp weights format (".mxw"), version 3. One file holds one network:
 *
 *   offset 0   4 bytes   magic "MXNW"
 *   offset 4   uint32    format version (little-endian), 3
 *   offset 8   uint32    header length H in bytes
 *   offset 12  uint32    CRC-32 of the whole file but these 4 bytes (bytes 0..12, then 16..end)
 *   offset 16  H bytes   header: UTF-8 JSON (WeightsHeader below), the network's layer graph included
 *   then zero padding to a multiple of 4 bytes, then the tensor data: the tensors one after
 *   the other in the order the graph's nodes first name them, each little-endian (float32, or
 *   float16 when quantised) and zero-padded to a multiple of 4 bytes, at the offset the header
 *   gives (counted from the start of the data section). The file ends where the last tensor's
 *   padding ends.
 *
 * Version 2 (still read, and written on request for the paper's family) is the same with
 * `architecture` (a family id) and `inputSize` in the header instead of the graph: the
 * family member's graph (graph/family.ts) is implied, its tensors in the order
 * wc1 bc1 wc2 bc2 wfc bfc wo bo. Version 1 (still read) is version 2 without the checksum:
 * a 12-byte preamble, the header at offset 12. The reader checks every field and the layout
 * of all versions; only versions 2 and 3 also find a changed weight, label or model-card byte.
 *
 * The header is JSON so that it can grow (model card fields) without a format bump.
 */
import type { ArchitectureId, ArchitectureSpec, NetworkWeights } from "./architecture.js";
import { describeArchitecture } from "./architecture.js";
import { crc32 } from "./crc32.js";
import type { GraphAnalysis, GraphParameter } from "./graph/analyze.js";
import { analyzeGraph, MISSING_GRAPH } from "./graph/analyze.js";
import { familyGraph, familySpecOf } from "./graph/family.js";
import type { LayerGraph } from "./graph/layer-graph.js";
import { recogniseAcrossCopies } from "./recognisable-error.js";

export const WEIGHTS_MAGIC = "MXNW";
/** The version encodeWeights writes by default. */
export const WEIGHTS_FORMAT_VERSION = 3;
/** The versions decodeWeights reads. */
export const READABLE_WEIGHTS_FORMAT_VERSIONS: readonly number[] = [1, 2, 3];
const PREAMBLE_BYTES: Record<number, number> = { 1: 12, 2: 16, 3: 16 };
const CHECKSUM_AT = 12;

export type TensorDtype = "float32" | "float16";

export interface TensorEntry {
  name: string;
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
  /**
   * The crop policy `classify()` uses with these weights when a call names none: the one
   * measured most accurate within the runtime's 1 ms a face (without it, DEFAULT_CROP_POLICY).
   */
  crops?: string;
  [key: string]: unknown;
}

export interface WeightsHeader {
  /** Version 3: the network. */
  graph?: LayerGraph;
  /** Versions 1 and 2: the family member (its graph is implied). */
  architecture?: ArchitectureId;
  /** Versions 1 and 2: the input side (84). */
  inputSize?: number;
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
recogniseAcrossCopies(WeightsFormatError, "@microexp/infer:WeightsFormatError");

export interface EncodeOptions {
  labels: string[];
  normalization?: Normalization;
  model?: ModelInfo;
  /** Store tensors as float16 (half the size; about 3 significant digits). */
  dtype?: TensorDtype;
  /**
   * 3 (default), or 2 for a member of the paper's family, which @microexp/infer 0.1 can read
   * too (its header names the architecture instead of carrying the graph).
   */
  formatVersion?: 2 | 3;
}

const BYTES: Record<TensorDtype, number> = { float32: 4, float16: 2 };
/** Typed arrays use the platform's byte order; the format is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Control characters and lone surrogates: a label holding one cannot be printed or escaped faithfully. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** Why these labels cannot name a network's outputs, or undefined when they can. */
export function labelProblem(labels: unknown): string | undefined {
  if (!Array.isArray(labels)) return "labels must be a list of names";
  const seen = new Set<string>();
  for (let i = 0; i < labels.length; i++) {
    const label: unknown = labels[i];
    if (typeof label !== "string") return `label ${i} is not a string (${JSON.stringify(label)})`;
    if (label.trim() === "") return `label ${i} is empty`;
    if (label.trim() !== label) return `label ${i} ${JSON.stringify(label)} has leading or trailing spaces`;
    if (UNPRINTABLE.test(label)) return `label ${i} ${JSON.stringify(label)} holds a control character`;
    if (seen.has(label)) return `label ${JSON.stringify(label)} appears twice`;
    seen.add(label);
  }
  return undefined;
}

/** Why this normalisation cannot be applied in float32, or undefined when it can. */
function normalizationProblem(normalization: unknown): string | undefined {
  if (typeof normalization !== "object" || normalization === null || Array.isArray(normalization)) {
    return "normalization must be an object { scale, offset }";
  }
  const { scale, offset } = normalization as Record<string, unknown>;
  for (const [key, value] of [["scale", scale], ["offset", offset]] as const) {
    if (typeof value !== "number" || !Number.isFinite(Math.fround(value))) {
      return `normalization.${key} must be a number finite in float32, got ${JSON.stringify(value) ?? String(value)}`;
    }
  }
  if (scale === 0) return "normalization.scale is 0: every image would give the same answer";
  return undefined;
}

/** The header's tensor table for a graph's parameters: in order, each right after the previous one. */
function tensorTable(parameters: GraphParameter[], dtypeOf: (index: number) => TensorDtype): { tensors: TensorEntry[]; dataBytes: number } {
  const tensors: TensorEntry[] = [];
  let dataBytes = 0;
  parameters.forEach(({ name, shape }, i) => {
    const dtype = dtypeOf(i);
    tensors.push({ name, shape, dtype, offset: dataBytes });
    dataBytes += align4(shape.reduce((a, b) => a * b, 1) * BYTES[dtype]);
  });
  return { tensors, dataBytes };
}

/** The graph's analysis, its errors as WeightsFormatErrors. */
function analyzed(graph: unknown, source?: string): GraphAnalysis {
  if (graph === undefined) throw new WeightsFormatError(MISSING_GRAPH, source);
  try {
    return analyzeGraph(graph);
  } catch (error) {
    throw new WeightsFormatError((error as Error).message, source);
  }
}

/** The family member a checked graph is (undefined for other graphs); errors as WeightsFormatErrors. */
function familyMember(graph: LayerGraph, numClasses: number, source?: string): ArchitectureSpec | undefined {
  try {
    return familySpecOf(graph, numClasses);
  } catch (error) {
    throw new WeightsFormatError((error as Error).message, source);
  }
}

/** Writes a network in format version 3 (or 2 when asked, for a family member), checksum included. */
export function encodeWeights(network: NetworkWeights, options: EncodeOptions): Uint8Array {
  const analysis = analyzed(network.graph);
  const { graph, numClasses } = analysis;
  const spec = familyMember(graph, numClasses);
  if (network.spec && network.spec.id !== spec?.id) throw new WeightsFormatError(`the network's spec says ${network.spec.id}, its graph is ${graph.name}`);
  const formatVersion = options.formatVersion ?? WEIGHTS_FORMAT_VERSION;
  if (formatVersion !== 2 && formatVersion !== 3) throw new WeightsFormatError(`cannot write format version ${JSON.stringify(formatVersion)} (2 or 3)`);
  if (formatVersion === 2 && !spec) throw new WeightsFormatError(`format version 2 holds only the paper's family; graph ${graph.name} needs version 3`);
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float16") throw new WeightsFormatError(`unsupported dtype ${JSON.stringify(dtype)} (float32 or float16)`);
  if (options.labels.length !== numClasses) {
    throw new WeightsFormatError(`${options.labels.length} labels given for a network with ${numClasses} outputs`);
  }
  const labelError = labelProblem(options.labels);
  if (labelError) throw new WeightsFormatError(labelError);
  const normalization = options.normalization ?? { scale: 1, offset: 0 };
  const normalizationError = normalizationProblem(normalization);
  if (normalizationError) throw new WeightsFormatError(normalizationError);
  const { tensors, dataBytes } = tensorTable(analysis.parameters, () => dtype);
  for (const { name, shape } of tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values: unknown = network.tensors[name];
    if (!(values instanceof Float32Array) || values.length !== size) {
      throw new WeightsFormatError(`tensor ${name} has ${values instanceof Float32Array ? values.length : "no"} values, ${graph.name} needs ${size}`);
    }
  }
  const header: WeightsHeader = {
    ...(formatVersion === 3 ? { graph } : { architecture: spec!.id, inputSize: graph.inputSize }),
    labels: options.labels,
    normalization,
    tensors,
    ...(options.model ? { model: options.model } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const preamble = PREAMBLE_BYTES[formatVersion];
  const dataStart = align4(preamble + headerBytes.length);
  const out = new Uint8Array(dataStart + dataBytes);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(WEIGHTS_MAGIC), 0);
  view.setUint32(4, formatVersion, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, preamble);
  for (const entry of tensors) {
    const values = network.tensors[entry.name];
    const base = dataStart + entry.offset;
    if (dtype === "float32" && LITTLE_ENDIAN) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), base);
    else if (dtype === "float32") values.forEach((v, i) => view.setFloat32(base + 4 * i, v, true));
    else values.forEach((v, i) => view.setUint16(base + 2 * i, toFloat16Bits(v), true));
  }
  view.setUint32(CHECKSUM_AT, fileChecksum(out), true);
  return out;
}

/** The CRC-32 a version 2 file stores: over every byte but the checksum's own four. */
function fileChecksum(bytes: Uint8Array): number {
  return crc32(bytes.subarray(CHECKSUM_AT + 4), crc32(bytes.subarray(0, CHECKSUM_AT)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A header value as it appears in the file, for messages. */
const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * Reads a weights file (format version 1, 2 or 3). `source` (a path or URL) names the file in
 * every error. Rejects a bad magic, an unknown version, a checksum that does not match (v2, v3),
 * a header field of the wrong type, a graph that analyzeGraph rejects (v3), labels that are
 * empty, repeated, unprintable or not one per output, a normalisation that is not finite in
 * float32, tensors that are not the graph's, in order, one after the other, a file that does
 * not end where the data ends, non-zero padding and non-finite values.
 */
export function decodeWeights(bytes: Uint8Array | ArrayBuffer, source = "weights file"): ModelWeights {
  // A plain Uint8Array view: Node's Buffer overrides slice() to share memory instead of copying.
  const buf = bytes instanceof Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  // Set once the checksum is known to be wrong: a layout error then also says the file is damaged.
  let damaged = "";
  const fail = (message: string): never => {
    throw new WeightsFormatError(message + damaged, source);
  };
  if (buf.length < 12) fail(`not a microexp weights file: only ${buf.length} bytes`);
  const magic = String.fromCharCode(buf[0], buf[1], buf[2], buf[3]);
  if (magic !== WEIGHTS_MAGIC) fail(`not a microexp weights file: bad magic ${JSON.stringify(magic)} (expected "${WEIGHTS_MAGIC}")`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (!READABLE_WEIGHTS_FORMAT_VERSIONS.includes(version)) {
    fail(`weights format version ${version} is not supported (this @microexp/infer reads versions ${READABLE_WEIGHTS_FORMAT_VERSIONS.slice(0, -1).join(", ")} and ${READABLE_WEIGHTS_FORMAT_VERSIONS.at(-1)})`);
  }
  const preamble = PREAMBLE_BYTES[version];
  if (buf.length < preamble) fail(`truncated: only ${buf.length} bytes, a version ${version} preamble takes ${preamble}`);
  const headerLength = view.getUint32(8, true);
  if (preamble + headerLength > buf.length) fail(`truncated: header of ${headerLength} bytes, file of ${buf.length}`);
  const stored = version >= 2 ? view.getUint32(CHECKSUM_AT, true) : 0;
  const actual = version >= 2 ? fileChecksum(buf) : 0;
  if (stored !== actual) damaged = " (and the checksum does not match: the file is damaged)";
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(preamble, preamble + headerLength)));
  } catch (error) {
    return fail(`header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) return fail("header must be a JSON object");
  const header = parsed;

  const labelError = labelProblem(header.labels);
  if (labelError) fail(`header: ${labelError}`);
  const labels = header.labels as string[];
  let spec: ArchitectureSpec | undefined;
  let analysis: GraphAnalysis;
  if (version <= 2) {
    if (typeof header.architecture !== "string") fail(`header.architecture must be a string, got ${shown(header.architecture)}`);
    try {
      spec = describeArchitecture(header.architecture as string, labels.length);
    } catch (error) {
      return fail((error as Error).message);
    }
    if (header.inputSize !== spec.inputSize) fail(`inputSize ${shown(header.inputSize)} does not match ${spec.id} (${spec.inputSize})`);
    analysis = analyzeGraph(familyGraph(spec));
  } else {
    // One description of the network: a second one could contradict the graph.
    for (const key of ["architecture", "inputSize"]) if (key in header) fail(`header.${key} is not part of a version 3 header (its graph describes the network)`);
    try {
      analysis = analyzeGraph(header.graph);
      spec = familySpecOf(analysis.graph, analysis.numClasses);
    } catch (error) {
      return fail(`header.${(error as Error).message}`);
    }
    if (labels.length !== analysis.numClasses) fail(`header: ${labels.length} labels for graph ${analysis.graph.name}, which has ${analysis.numClasses} outputs`);
  }
  const { graph, parameters, numClasses } = analysis;
  // Version 1 writers always wrote it; the reader took identity when it was missing.
  const normalization = header.normalization === undefined && version === 1 ? { scale: 1, offset: 0 } : header.normalization;
  const normalizationError = normalizationProblem(normalization);
  if (normalizationError) fail(`header: ${normalizationError}`);
  if (header.model !== undefined && !isPlainObject(header.model)) fail(`header.model must be an object, got ${shown(header.model)}`);

  const names = parameters.map((p) => p.name);
  const entries = header.tensors;
  if (!Array.isArray(entries) || entries.length !== names.length) {
    return fail(`header.tensors must list the ${names.length} tensors ${names.join(" ")}`);
  }
  const dtypes = entries.map((entry: unknown, i) => {
    if (!isPlainObject(entry)) return fail(`header.tensors[${i}] must be an object`);
    if (entry.name !== names[i]) fail(`header.tensors[${i}] is ${shown(entry.name)}, expected ${names[i]} (tensors come in the order ${names.join(" ")})`);
    if (entry.dtype !== "float32" && entry.dtype !== "float16") fail(`tensor ${names[i]} has unsupported dtype ${shown(entry.dtype)}`);
    return entry.dtype as TensorDtype;
  });
  const expected = tensorTable(parameters, (i) => dtypes[i]);
  const dataStart = align4(preamble + headerLength);
  for (let i = preamble + headerLength; i < Math.min(dataStart, buf.length); i++) if (buf[i] !== 0) fail(`padding byte ${i} after the header is not zero`);
  const tensors: Record<string, Float32Array> = {};
  expected.tensors.forEach((want, i) => {
    const entry = entries[i] as Record<string, unknown>;
    const { name, dtype } = want;
    if (!Array.isArray(entry.shape) || entry.shape.join(",") !== want.shape.join(",")) {
      fail(`tensor ${name} has shape ${shown(entry.shape)}, ${graph.name} with ${numClasses} classes needs [${want.shape}]`);
    }
    if (entry.offset !== want.offset) {
      fail(`tensor ${name} is at offset ${shown(entry.offset)}, expected ${want.offset} (tensors are stored one after the other)`);
    }
    const count = want.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + want.offset;
    const end = start + count * BYTES[dtype];
    if (align4(end) > buf.length) fail(`truncated: tensor ${name} needs bytes ${start}..${align4(end)}, file has ${buf.length}`);
    for (let p = end; p < align4(end); p++) if (buf[p] !== 0) fail(`padding byte ${p} after tensor ${name} is not zero`);
    let values: Float32Array;
    if (dtype === "float32" && LITTLE_ENDIAN) values = new Float32Array(buf.slice(start, end).buffer);
    else if (dtype === "float32") values = Float32Array.from({ length: count }, (_, k) => view.getFloat32(start + 4 * k, true));
    else {
      const table = float16Table();
      values = new Float32Array(count);
      for (let k = 0; k < count; k++) values[k] = table[view.getUint16(start + 2 * k, true)];
    }
    for (let k = 0; k < count; k++) {
      if (!Number.isFinite(values[k])) fail(`tensor ${name} holds a non-finite value (${values[k]}) at index ${k}`);
    }
    tensors[name] = values;
  });
  const dataEnd = dataStart + expected.dataBytes;
  if (buf.length !== dataEnd) fail(`the file is ${buf.length} bytes, but its data ends at byte ${dataEnd}`);
  // Checked last so that a cut or misplaced part is named as such; anything else is damage.
  damaged = "";
  if (stored !== actual) fail(`checksum mismatch: the file is damaged (stored CRC-32 ${hex(stored)}, its bytes give ${hex(actual)})`);
  return { network: { graph, tensors, ...(spec ? { spec } : {}) }, labels, normalization: normalization as Normalization, model: (header.model as ModelInfo | undefined) ?? {} };
}

let halfToFloat: Float32Array | undefined;

/** Every float16 bit pattern's value (256 KB, built once): decoding a float16 file becomes a lookup. */
function float16Table(): Float32Array {
  if (!halfToFloat) {
    halfToFloat = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfToFloat[h] = fromFloat16Bits(h);
  }
  return halfToFloat;
}

/**
 * Checks weights built in memory (not read from a file) as decodeWeights checks a file's:
 * the graph, labels, normalisation, every tensor's size for the graph, and finite values. A
 * NaN weight would otherwise vanish in a ReLU or a max-pool and leave a plausible, wrong answer.
 */
export function checkModelWeights(weights: ModelWeights, source = "weights"): void {
  const fail = (message: string): never => {
    throw new WeightsFormatError(message, source);
  };
  const { network, labels, normalization } = weights;
  const labelError = labelProblem(labels);
  if (labelError) fail(labelError);
  const { graph, parameters, numClasses } = analyzed(network.graph, source);
  const spec = familyMember(graph, numClasses, source);
  if (network.spec && network.spec.id !== spec?.id) fail(`the network's spec says ${network.spec.id}, its graph is ${graph.name}`);
  if (numClasses !== labels.length) fail(`${labels.length} labels for a network with ${numClasses} outputs`);
  const normalizationError = normalizationProblem(normalization);
  if (normalizationError) fail(normalizationError);
  for (const { name, shape } of parameters) {
    const values: unknown = network.tensors[name];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!(values instanceof Float32Array) || values.length !== size) return fail(`tensor ${name} must be a Float32Array of ${size} values for ${graph.name}`);
    for (let k = 0; k < size; k++) if (!Number.isFinite(values[k])) fail(`tensor ${name} holds a non-finite value (${values[k]}) at index ${k}`);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
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
