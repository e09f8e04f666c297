import type { Channels, GrayImage, ImageLike } from "./types.js";

function isPositiveInteger(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/** Throws a RangeError unless width and height are positive integers (named in the message as `what`). */
export function checkSize(width: number, height: number, what: string): void {
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new RangeError(`${what}: size must be positive integers, got ${width}x${height}`);
  }
}

/** Validates an image buffer and returns its channel count. */
export function checkImage(image: ImageLike, what: string): Channels {
  checkSize(image.width, image.height, what);
  const channels = image.channels ?? 4;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`${what}: channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  const expected = image.width * image.height * channels;
  if (image.data.length !== expected) {
    throw new RangeError(
      `${what}: a ${image.width}x${image.height} image with ${channels} channel(s) needs ` +
        `${expected} bytes, got ${image.data.length}`,
    );
  }
  return channels;
}

/** Wraps bytes as a GrayImage (no copy). */
export function grayImage(width: number, height: number, data: Uint8Array): GrayImage {
  return { width, height, data, channels: 1 };
}
