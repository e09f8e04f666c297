// Test helper: the committed fixture photos (credits in fixtures/README.md), decoded with sharp.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ImageLike } from "@microexp/infer";
import { decodeImageFile } from "../src/node.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Paths of the committed photos: the astronaut and the London Set samples. */
export function fixturePhotos(): string[] {
  const london = readdirSync(`${FIXTURES}london`).filter((f) => f.endsWith(".jpg")).sort();
  return [`${FIXTURES}astronaut.png`, ...london.map((f) => `${FIXTURES}london/${f}`)];
}

export function fixtureName(path: string): string {
  return path.slice(FIXTURES.length);
}

const decoded = new Map<string, Promise<ImageLike>>();

export function loadPhoto(path: string): Promise<ImageLike> {
  let image = decoded.get(path);
  if (!image) {
    image = decodeImageFile(path);
    decoded.set(path, image);
  }
  return image;
}
