/**
 * CRC-32 (IEEE 802.3, the one of zip, PNG and gzip): the weights format's checksum. It finds
 * every error of up to 32 consecutive bits and all but one in 2^32 of any other damage.
 */
let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/**
 * The CRC-32 of `bytes`, or of `previous`'s bytes followed by them (pass the result of the
 * call on the bytes before): crc32(b, crc32(a)) === crc32(a concatenated with b).
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = crcTable();
  let c = ~previous;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
