// The 8 training crops of every face, decoded once per dataset and cached on disk, so that
// resumed runs and every cell of a sweep skip the decoding and the face detection.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Manifest } from "@microexp/datasets";
import type { CropSet } from "@microexp/distill";
import { allocateCropSet, CROP_PIXELS, CROPS_PER_IMAGE, loadCropSet } from "@microexp/distill";
import type { TaskProgress } from "./progress.js";
import { writeFileAtomic } from "./files.js";

export interface CropLoadOptions {
  detectFaces: boolean;
  /** Folder of the crop cache; no caching without one. */
  cacheDir?: string;
  /** Versions of the code that makes the crops: a new version makes new crops. */
  cropCodeVersion: string;
  /** Starts the progress display of the decoding (not called when the cache has the crops). */
  startProgress?: () => TaskProgress;
  signal?: AbortSignal;
  /** Told what the user should know, e.g. images in which no face was found. */
  onWarning?: (message: string) => void;
}

/** The cache file of a data set's crops: keyed on its content hash (hashManifestContents), not on its file names. */
export function cropCacheFile(contentHash: string, options: Pick<CropLoadOptions, "detectFaces" | "cropCodeVersion"> & { cacheDir: string }): string {
  const key = createHash("sha256")
    // With detection, which face is cropped is part of the key: the largest (it was the first box).
    .update(JSON.stringify({ contents: contentHash, detectFaces: options.detectFaces, code: options.cropCodeVersion, ...(options.detectFaces ? { face: "largest" } : {}) }))
    .digest("hex").slice(0, 24);
  return join(options.cacheDir, `crops-${key}.u8`);
}

export async function loadCrops(manifest: Manifest, contentHash: string, options: CropLoadOptions): Promise<{ crops: CropSet; fromCache: boolean }> {
  const paths = manifest.entries.map((e) => e.file);
  const bytes = manifest.entries.length * CROPS_PER_IMAGE * CROP_PIXELS;
  const cache = options.cacheDir ? cropCacheFile(contentHash, { ...options, cacheDir: options.cacheDir }) : undefined;
  if (cache && existsSync(cache)) {
    const stored = readFileSync(cache);
    if (stored.length !== bytes) throw new Error(`${cache}: holds ${stored.length} bytes, ${manifest.entries.length} faces need ${bytes}; delete it to decode the images again`);
    const crops = allocateCropSet(manifest.entries.length, manifest.labelNames, paths);
    crops.pixels.set(stored);
    manifest.entries.forEach((entry, i) => (crops.labels[i] = entry.label));
    return { crops, fromCache: true };
  }
  const progress = options.startProgress?.();
  const faceless: string[] = [];
  const crops = await loadCropSet(manifest.entries, manifest.labelNames, {
    detectFaces: options.detectFaces,
    onNoFace: (file) => faceless.push(file),
    onProgress: (done) => progress?.update(done),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  progress?.done();
  if (faceless.length > 0) {
    faceless.sort();
    options.onWarning?.(`no face found in ${faceless.length} of ${manifest.entries.length} images, so their crops are of the whole image: ${faceless.slice(0, 3).join(", ")}${faceless.length > 3 ? ", ..." : ""}`);
  }
  if (cache) {
    writeFileAtomic(cache, crops.pixels);
  }
  return { crops, fromCache: false };
}
