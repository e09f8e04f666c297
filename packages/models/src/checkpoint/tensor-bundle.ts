/**
 * TF tensor-bundle checkpoints (the V2 format of tf.train.Saver): an .index SSTable that maps
 * each variable name to a BundleEntryProto, and .data-0000x-of-0000n shards holding the raw
 * little-endian tensor bytes at the offsets the entries give.
 */
import { crc32c, maskCrc } from "./crc32c.js";
import { protoFields } from "./protobuf.js";
import { readSSTable } from "./sstable.js";

const DT_FLOAT = 1;

export interface BundleEntry {
  name: string;
  dtype: number;
  shape: number[];
  shard: number;
  offset: number;
  size: number;
  crc32c?: number;
}

function parseShape(bytes: Uint8Array, what: string): number[] {
  const dims: number[] = [];
  for (const [field, v] of protoFields(bytes, what)) {
    if (field !== 2 || v.wire !== 2) continue; // TensorShapeProto.dim
    let size = 0;
    for (const [f, d] of protoFields(v.value, what)) if (f === 1 && d.wire === 0) size = d.value;
    dims.push(size);
  }
  return dims;
}

function parseEntry(name: string, bytes: Uint8Array, what: string): BundleEntry {
  const entry: BundleEntry = { name, dtype: 0, shape: [], shard: 0, offset: 0, size: 0 };
  for (const [field, v] of protoFields(bytes, `${what} (entry ${name})`)) {
    if (field === 1 && v.wire === 0) entry.dtype = v.value;
    else if (field === 2 && v.wire === 2) entry.shape = parseShape(v.value, what);
    else if (field === 3 && v.wire === 0) entry.shard = v.value;
    else if (field === 4 && v.wire === 0) entry.offset = v.value;
    else if (field === 5 && v.wire === 0) entry.size = v.value;
    else if (field === 6 && v.wire === 5) entry.crc32c = v.value;
    else if (field === 7) throw new Error(`${what}: tensor ${name} is stored in slices, which are not supported`);
  }
  return entry;
}

/** Lists the tensors of a bundle from its .index bytes (the empty key is the bundle header). */
export function readBundleIndex(index: Uint8Array, what = "checkpoint index"): Map<string, BundleEntry> {
  const entries = new Map<string, BundleEntry>();
  for (const [key, value] of readSSTable(index, what)) {
    if (key === "") continue;
    entries.set(key, parseEntry(key, value, what));
  }
  return entries;
}

export interface BundleTensor {
  shape: number[];
  values: Float32Array;
}

/**
 * Reads one float32 tensor out of a data shard, checking its size and checksum.
 * `what` names the data file in errors.
 */
export function readBundleTensor(entry: BundleEntry, data: Uint8Array, what = "checkpoint data"): BundleTensor {
  if (entry.dtype !== DT_FLOAT) throw new Error(`${what}: tensor ${entry.name} has dtype ${entry.dtype}, only float32 (1) is supported`);
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (entry.size !== count * 4) throw new Error(`${what}: tensor ${entry.name} has ${entry.size} bytes, shape [${entry.shape}] needs ${count * 4}`);
  if (entry.offset + entry.size > data.length) {
    throw new Error(`${what}: truncated: tensor ${entry.name} needs bytes ${entry.offset}..${entry.offset + entry.size}, file has ${data.length}`);
  }
  const bytes = data.subarray(entry.offset, entry.offset + entry.size);
  if (entry.crc32c !== undefined && maskCrc(crc32c(bytes)) !== entry.crc32c) {
    throw new Error(`${what}: checksum mismatch for tensor ${entry.name}: the file is corrupt`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
  return { shape: entry.shape, values };
}
