/** Decodes a dataset's images and cuts the paper's 8 training crops of each face. */
import type { ManifestEntry } from "@microexp/datasets";
import { paperTrainingCrops } from "@microexp/infer";
import { findPaperFace, loadCascade } from "@microexp/face";
import { decodeImageFile } from "@microexp/face/node";
import type { CropSet } from "./crop-set.js";
import { allocateCropSet, CROP_PIXELS, CROPS_PER_IMAGE } from "./crop-set.js";

export interface LoadCropsOptions {
  /**
   * Find the face with the paper's detector first (for uncropped photos such as CK+'s
   * original 640x490 frames). Off for datasets of cropped faces (ckplus48, FER2013), where
   * the whole image is the face.
   */
  detectFaces?: boolean;
  /** Images decoded at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Called for each image in which detectFaces found no face (its crops are then of the whole image). */
  onNoFace?: (file: string) => void;
  /** Stops decoding; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export async function loadCropSet(entries: readonly ManifestEntry[], labelNames: string[], options: LoadCropsOptions = {}): Promise<CropSet> {
  const set = allocateCropSet(entries.length, labelNames, entries.map((e) => e.file));
  const per = CROPS_PER_IMAGE * CROP_PIXELS;
  // The paper's detector (haarcascade_frontalface_default, scaleFactor 1.3, minNeighbors 5); the whole image when it finds no face.
  const cascade = options.detectFaces ? await loadCascade() : undefined;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < entries.length) {
      options.signal?.throwIfAborted();
      const i = next++;
      const entry = entries[i];
      // Strict: a damaged file (corrupt JPEG scan, PNG checksum) is an error naming it, not a face to learn.
      const image = await decodeImageFile(entry.file, { failOn: "warning" });
      const box = cascade ? findPaperFace(image, cascade) ?? undefined : undefined;
      if (cascade && !box) options.onNoFace?.(entry.file);
      const crops = paperTrainingCrops(image, box);
      crops.forEach((crop, c) => set.pixels.set(crop, i * per + c * CROP_PIXELS));
      set.labels[i] = entry.label;
      options.onProgress?.(++done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return set;
}
