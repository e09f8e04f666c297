// Test helper: the committed fixture photo, a binary PPM (P6) so no decoder is needed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ImageLike } from "../../src/image/index.js";

/** 200x200 RGB crop around the face of NASA's public-domain astronaut portrait (see fixtures/README.md). */
export function loadFixturePhoto(): ImageLike {
  const bytes = readFileSync(fileURLToPath(new URL("./fixtures/astronaut-face.ppm", import.meta.url)));
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 32).toString("latin1"));
  if (!header) throw new Error("astronaut-face.ppm: not a binary 8-bit PPM");
  const width = Number(header[1]), height = Number(header[2]);
  const data = new Uint8Array(bytes.subarray(header[0].length));
  return { width, height, data, channels: 3 };
}
