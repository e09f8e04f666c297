import type { ImageLike } from "@microexp/infer";

// Windows bitmaps (BMP), which libvips and so sharp cannot read: the common uncompressed
// kinds only (8-bit palette, 24-bit BGR, 32-bit BGRX / BI_BITFIELDS with the usual masks),
// bottom-up or top-down. Anything else throws an Error saying what it is.

/** True when the bytes start like a BMP file ("BM"). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array): ImageLike & { data: Uint8Array; channels: 3 } {
  if (bytes.length < 54) throw new Error(`${bytes.length} bytes is too short for a BMP header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelStart = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new Error(`header of ${headerSize} bytes (OS/2 bitmaps) is not supported`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`size ${width}x${rawHeight} is not valid`);
  const bitfields = compression === 3 && bits === 32;
  if (compression !== 0 && !bitfields) throw new Error(`compression ${compression} is not supported (uncompressed only)`);
  if (bits !== 8 && bits !== 24 && bits !== 32) throw new Error(`${bits} bits per pixel is not supported (8, 24 or 32)`);
  if (bitfields) {
    const masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
    if (masks[0] !== 0xff0000 || masks[1] !== 0xff00 || masks[2] !== 0xff) throw new Error("only the BGRX bit-field layout is supported");
  }
  const rowBytes = Math.ceil((width * bits) / 32) * 4;
  if (pixelStart + rowBytes * height > bytes.length) {
    throw new Error(`the file is truncated: ${bytes.length} bytes, the pixels need ${pixelStart + rowBytes * height}`);
  }
  let palette: Uint8Array | undefined;
  if (bits === 8) {
    const colors = view.getUint32(46, true) || 256;
    const paletteStart = 14 + headerSize;
    if (paletteStart + colors * 4 > pixelStart) throw new Error("the palette overlaps the pixels");
    palette = bytes.subarray(paletteStart, paletteStart + colors * 4);
  }
  const data = new Uint8Array(width * height * 3);
  const bytesPerPixel = bits / 8;
  for (let y = 0; y < height; y++) {
    // Positive heights are stored bottom row first.
    const source = pixelStart + (rawHeight > 0 ? height - 1 - y : y) * rowBytes;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      let p = source + x * bytesPerPixel;
      let table = bytes;
      if (palette) {
        p = bytes[p] * 4;
        if (p + 2 >= palette.length) throw new Error(`pixel (${x}, ${y}) uses colour ${p / 4} outside the palette`);
        table = palette;
      }
      data[o] = table[p + 2];
      data[o + 1] = table[p + 1];
      data[o + 2] = table[p];
    }
  }
  return { width, height, data, channels: 3 };
}
