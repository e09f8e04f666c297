// Data for a command: the manifest, its hashes, and the 8 crops of every face (cached).
import { hashManifest, hashManifestContents } from "@microexp/datasets";
import type { CropSet } from "@microexp/distill";
import { loadCrops } from "./crops.js";
import type { DataOptions, LoadedData } from "./data.js";
import { loadData } from "./data.js";
import { packageVersions } from "./environment.js";
import type { ProgressDisplay } from "./progress.js";

export interface HashedData extends LoadedData {
  /** SHA-256 of the manifest (hashManifest: paths, labels, subjects): what splits are checked against. */
  manifestHash: string;
  /**
   * SHA-256 over the manifest and every file's bytes (hashManifestContents): the key of the crop
   * and teacher-logit caches and of a run folder, so none is reused for images replaced under
   * the same names.
   */
  contentHash: string;
}

export interface PreparedData extends HashedData {
  crops: CropSet;
  cropsFromCache: boolean;
}

/** The manifest and its hashes, without decoding the images (e.g. to plan jobs that others run). */
export async function hashData(options: DataOptions, seed: number, progress: ProgressDisplay): Promise<HashedData> {
  const loaded = await loadData(options, seed);
  for (const warning of loaded.warnings) progress.log(`WARNING: ${warning}`);
  return { ...loaded, manifestHash: hashManifest(loaded.manifest), contentHash: await hashManifestContents(loaded.manifest) };
}

export async function prepareData(options: DataOptions, seed: number, cacheDir: string | undefined, progress: ProgressDisplay, signal?: AbortSignal): Promise<PreparedData> {
  const loaded = await loadData(options, seed);
  const { manifest } = loaded;
  const versions = packageVersions();
  const limited = loaded.availableImages > manifest.entries.length ? ` (--limit: ${manifest.entries.length} of ${loaded.availableImages})` : "";
  for (const warning of loaded.warnings) progress.log(`WARNING: ${warning}`);
  progress.log(`data: ${manifest.entries.length} images in ${manifest.labelNames.length} classes from ${manifest.root}${limited}`);
  const contentHash = await hashManifestContents(manifest);
  const { crops, fromCache } = await loadCrops(manifest, contentHash, {
    detectFaces: loaded.detectFaces,
    ...(cacheDir ? { cacheDir } : {}),
    cropCodeVersion: `face ${versions["@microexp/face"]}, infer ${versions["@microexp/infer"]}, distill ${versions["@microexp/distill"]}`,
    startProgress: () => progress.task(loaded.detectFaces ? "decoding, detecting faces" : "decoding", manifest.entries.length),
    onWarning: (message) => progress.log(`WARNING: ${message}`),
    ...(signal ? { signal } : {}),
  });
  if (fromCache) progress.log(`crops: read from the cache in ${cacheDir}`);
  return { ...loaded, manifestHash: hashManifest(manifest), contentHash, crops, cropsFromCache: fromCache };
}
