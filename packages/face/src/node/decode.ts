import { readFile } from "node:fs/promises";
import type Sharp from "sharp";
import type { ImageLike } from "@microexp/infer";
import { decodeBmp, isBmp } from "../decode/bmp.js";
import { recogniseAcrossCopies } from "@microexp/infer/internal";

/** A decoded image: gray (1 channel) or RGB (3), alpha dropped, EXIF orientation applied. */
export interface DecodedImage extends ImageLike {
  readonly data: Uint8Array;
  readonly channels: 1 | 3;
}

/** A file that could not be read or decoded; `file` names it. */
export class ImageDecodeError extends Error {
  constructor(readonly file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = "ImageDecodeError";
  }
}
recogniseAcrossCopies(ImageDecodeError, "@microexp/face:ImageDecodeError");

/**
 * sharp is an optional peer dependency: browser apps never need it, and BMP decodes without
 * it. Loaded on first use, with an error that says what to install.
 */
let sharpModule: Promise<typeof Sharp> | undefined;
function loadSharp(name: string): Promise<typeof Sharp> {
  sharpModule ??= import("sharp").then((m) => (m as { default: typeof Sharp }).default);
  return sharpModule.catch((error: unknown) => {
    sharpModule = undefined;
    throw new ImageDecodeError(name, "decoding PNG, JPEG, GIF, WebP or TIFF in Node needs the optional peer dependency sharp (npm install sharp)", { cause: error });
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

export interface DecodeOptions {
  /**
   * "truncated" (default): reject files cut short. "warning": also reject what the decoder
   * only warns about, such as a corrupt JPEG scan or a PNG chunk with a bad checksum: for
   * training data, where a damaged face must not be learnt from silently.
   */
  failOn?: "truncated" | "warning";
}

/**
 * Decodes image bytes (PNG, JPEG, GIF's first frame, WebP, TIFF with sharp; uncompressed
 * BMP by hand, since libvips lacks it). `name` labels errors, e.g. the file path.
 */
export async function decodeImage(bytes: Uint8Array, name = "image", options: DecodeOptions = {}): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImageDecodeError(name, "the file is empty");
  if (isBmp(bytes)) {
    try {
      return decodeBmp(bytes);
    } catch (error) {
      throw new ImageDecodeError(name, `not a readable BMP image (${message(error)})`, { cause: error });
    }
  }
  const sharp = await loadSharp(name);
  try {
    const pipeline = sharp(bytes, { failOn: options.failOn ?? "truncated" });
    // sharp outputs sRGB unless told otherwise: keep gray (and gray + alpha) images one channel.
    const { channels } = await pipeline.metadata();
    if (channels === 1 || channels === 2) pipeline.toColourspace("b-w");
    const { data, info } = await pipeline
      .rotate()
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      channels: info.channels,
    };
  } catch (error) {
    throw new ImageDecodeError(name, `not a readable image (${message(error)})`, { cause: error });
  }
}

/** Reads and decodes an image file; errors are ImageDecodeErrors that name the file. */
export async function decodeImageFile(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ImageDecodeError(path, `cannot read the file (${message(error)})`, { cause: error });
  }
  return decodeImage(bytes, path, options);
}
