/**
 * Reader for the LevelDB table format ("SSTable") that TF tensor-bundle .index files use:
 * a footer pointing at an index block whose entries point at data blocks of
 * prefix-compressed (key, value) pairs.
 */
import { ByteReader } from "./protobuf.js";

const FOOTER_BYTES = 48;
const TABLE_MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]; // 0xdb4775248b80fb57, little-endian
const BLOCK_TRAILER_BYTES = 5; // compression type + crc32c

interface BlockHandle {
  offset: number;
  size: number;
}

function readHandle(reader: ByteReader): BlockHandle {
  return { offset: reader.varint(), size: reader.varint() };
}

function blockEntries(table: Uint8Array, handle: BlockHandle, what: string): Array<[string, Uint8Array]> {
  if (handle.offset + handle.size + BLOCK_TRAILER_BYTES > table.length) {
    throw new Error(`${what}: block at ${handle.offset}+${handle.size} runs past the end of the file (${table.length} bytes)`);
  }
  const compression = table[handle.offset + handle.size];
  if (compression !== 0) throw new Error(`${what}: block compression type ${compression} is not supported (only uncompressed)`);
  const block = table.subarray(handle.offset, handle.offset + handle.size);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = view.getUint32(block.length - 4, true);
  const end = block.length - 4 * (restarts + 1);
  if (end < 0) throw new Error(`${what}: corrupt block (restart count ${restarts})`);
  const reader = new ByteReader(block.subarray(0, end), what);
  const entries: Array<[string, Uint8Array]> = [];
  let key = new Uint8Array(0);
  const decoder = new TextDecoder();
  while (!reader.done) {
    const shared = reader.varint();
    const unshared = reader.varint();
    const valueLength = reader.varint();
    if (shared > key.length) throw new Error(`${what}: corrupt key prefix at byte ${reader.pos}`);
    const next = new Uint8Array(shared + unshared);
    next.set(key.subarray(0, shared));
    next.set(reader.take(unshared), shared);
    key = next;
    entries.push([decoder.decode(key), reader.take(valueLength)]);
  }
  return entries;
}

/** All (key, value) pairs of a LevelDB table, in key order. `what` names the file in errors. */
export function readSSTable(table: Uint8Array, what: string): Map<string, Uint8Array> {
  if (table.length < FOOTER_BYTES) throw new Error(`${what}: too short to be a table (${table.length} bytes)`);
  const footer = table.subarray(table.length - FOOTER_BYTES);
  if (TABLE_MAGIC.some((b, i) => footer[40 + i] !== b)) throw new Error(`${what}: not a TF checkpoint index (bad table magic)`);
  const reader = new ByteReader(footer, what);
  readHandle(reader); // metaindex: unused by tensor bundles
  const index = readHandle(reader);
  const out = new Map<string, Uint8Array>();
  for (const [, handleBytes] of blockEntries(table, index, what)) {
    const handle = readHandle(new ByteReader(handleBytes, what));
    for (const [key, value] of blockEntries(table, handle, what)) out.set(key, value);
  }
  return out;
}
