// Where the two face sets are, and what is in them. The data is read in place, never copied.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FER_LABELS } from "./labels.mjs";

/** The repository's root (this file is bench/accuracy/src/data.mjs). */
export const REPO_ROOT = resolve(new URL("../../..", import.meta.url).pathname);

/** The research data folder: MICROEXP_DATA, else ../shared/data beside the repository. */
export function dataFolder(env = process.env) {
  return env.MICROEXP_DATA ? resolve(env.MICROEXP_DATA) : resolve(REPO_ROOT, "../shared/data");
}

/** The London sample photos (public, in ../shared/reference). */
export function londonFolder() {
  return resolve(REPO_ROOT, "../shared/reference/images/london-sample");
}

/** The banner printed when a set is missing: the bench skips it, loudly, rather than fail or pass. */
export function skipMessage(set, folder, hint) {
  const line = "!".repeat(78);
  return `${line}\n!! SKIPPED ${set}: ${folder} is absent. ${hint}\n${line}`;
}

/** FER2013 faces of one split from manifest.csv (`path,label,split`, paths relative to its folder). */
export function readFerManifest(ferFolder, split = "PublicTest") {
  const file = join(ferFolder, "manifest.csv");
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  if (lines[0].trim() !== "path,label,split") throw new Error(`${file}: header is "${lines[0]}", expected "path,label,split"`);
  const faces = [];
  for (let n = 1; n < lines.length; n++) {
    if (!lines[n].trim()) continue;
    const [path, label, rowSplit, extra] = lines[n].split(",");
    if (extra !== undefined || !rowSplit) throw new Error(`${file}:${n + 1}: expected 3 fields, got "${lines[n]}"`);
    if (!FER_LABELS.includes(label)) throw new Error(`${file}:${n + 1}: unknown label "${label}"`);
    if (rowSplit === split) faces.push({ path: join(ferFolder, path), label });
  }
  if (faces.length === 0) throw new Error(`${file}: no face of split "${split}"`);
  return faces;
}

/** The London photos: one folder per class (happy/, neutral/), sorted by file name. */
export function readLondonPhotos(folder) {
  const photos = [];
  for (const label of ["happy", "neutral"]) {
    const dir = join(folder, label);
    if (!existsSync(dir)) throw new Error(`${dir}: missing (expected happy/ and neutral/ in ${folder})`);
    for (const name of readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()) {
      photos.push({ path: join(dir, name), label });
    }
  }
  if (photos.length === 0) throw new Error(`${folder}: no photo in happy/ or neutral/`);
  return photos;
}
