/** Channel counts an image buffer may have: gray, RGB or RGBA. */
export type Channels = 1 | 3 | 4;

/**
 * A pixel buffer shaped like the browser's ImageData: rows top to bottom, channels
 * interleaved, one byte per channel. `channels` defaults to 4 (RGBA), as in ImageData,
 * so a canvas frame can be passed as it is.
 */
export interface ImageLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly channels?: Channels;
}

/** A one-channel 8-bit image (row-major, width * height bytes). */
export interface GrayImage extends ImageLike {
  readonly data: Uint8Array;
  readonly channels: 1;
}

/** An axis-aligned rectangle in pixels; (x, y) is its top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A Box around a face (what a detector returns and the crop policy takes). */
export type FaceBox = Box;
