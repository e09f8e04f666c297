// Pixel plumbing shared by every model: what the peers get is what microexp gets.

/** Number of channels of an ImageLike ({ width, height, data, channels? }), RGBA by default. */
export function channelsOf(image) {
  const channels = image.channels ?? 4;
  if (![1, 3, 4].includes(channels)) throw new Error(`image has ${channels} channels (expected 1, 3 or 4)`);
  if (image.data.length !== image.width * image.height * channels) {
    throw new Error(`image data has ${image.data.length} values, expected ${image.width}x${image.height}x${channels}`);
  }
  return channels;
}

/**
 * The box's pixels as interleaved RGB (height x width x 3), gray replicated to three channels,
 * alpha dropped: the face tensor face-api cuts with tf.slice3d (extractFaceTensors) and human
 * with cropAndResize, from the RGB image either library would decode. Boxes are clipped to the
 * image, as face-api's clipAtImageBorders does.
 */
export function cropRgb(image, box = { x: 0, y: 0, width: image.width, height: image.height }) {
  const channels = channelsOf(image);
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(image.width, Math.round(box.x + box.width));
  const y1 = Math.min(image.height, Math.round(box.y + box.height));
  const width = x1 - x0;
  const height = y1 - y0;
  if (width <= 0 || height <= 0) throw new Error(`box ${JSON.stringify(box)} is outside the ${image.width}x${image.height} image`);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = ((y0 + y) * image.width + x0 + x) * channels;
      const to = (y * width + x) * 3;
      if (channels === 1) {
        rgb[to] = rgb[to + 1] = rgb[to + 2] = image.data[from];
      } else {
        rgb[to] = image.data[from];
        rgb[to + 1] = image.data[from + 1];
        rgb[to + 2] = image.data[from + 2];
      }
    }
  }
  return { width, height, data: rgb };
}

/** The largest box by area (the first of equals), or null for none. */
export function largestBox(boxes) {
  let best = null;
  for (const box of boxes) if (!best || box.width * box.height > best.width * best.height) best = box;
  return best && { x: best.x, y: best.y, width: best.width, height: best.height };
}
