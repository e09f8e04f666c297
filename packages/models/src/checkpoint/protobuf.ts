/** The few protobuf wire-format reads that a TF tensor-bundle index needs. */

export class ByteReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly what: string) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Unsigned LEB128 varint, as used by protobuf and LevelDB (up to 2^53 exactly). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new Error(`${this.what}: truncated varint at byte ${this.pos}`);
      const byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error(`${this.what}: varint longer than 10 bytes at byte ${this.pos}`);
  }

  take(length: number): Uint8Array {
    if (this.pos + length > this.bytes.length) {
      throw new Error(`${this.what}: needs ${length} bytes at ${this.pos}, only ${this.bytes.length - this.pos} left`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  uint32(): number {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
}

export type FieldValue = { wire: 0; value: number } | { wire: 2; value: Uint8Array } | { wire: 5; value: number } | { wire: 1; value: Uint8Array };

/** Splits a protobuf message into (field number, value) pairs. */
export function* protoFields(bytes: Uint8Array, what: string): Generator<[number, FieldValue]> {
  const reader = new ByteReader(bytes, what);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield [field, { wire, value: reader.varint() }];
    else if (wire === 2) yield [field, { wire, value: reader.take(reader.varint()) }];
    else if (wire === 5) yield [field, { wire, value: reader.uint32() }];
    else if (wire === 1) yield [field, { wire, value: reader.take(8) }];
    else throw new Error(`${what}: unsupported protobuf wire type ${wire} (field ${field})`);
  }
}
