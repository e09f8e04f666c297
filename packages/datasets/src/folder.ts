import { realpath } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import { DatasetError } from "./errors.js";
import { fileUnder, isImageFile, parseCkPlusName } from "./file-names.js";
import { findLabel } from "./labels.js";
import { listDir } from "./list-dir.js";
import { makeManifest, type Manifest, type ManifestEntry, type SkippedItem } from "./manifest.js";
import { skipFile } from "./skip.js";
import { validateManifest } from "./validate.js";

export interface FolderDatasetOptions {
  /**
   * Label names in label order; class folders are matched to them with aliases (happiness = happy,
   * sad = sadness, angry = anger). Default: the class folder names, sorted.
   */
  labelNames?: readonly string[];
  /** Class folders to leave out (recorded as skipped), e.g. ["neutral"] for 7 classes. */
  ignoreFolders?: readonly string[];
  /** Name recorded as each entry's source. Default: the root folder's name. */
  source?: string;
}

/**
 * Loads a dataset stored as one folder per class (`<root>/<class>/<image>`), like ckplus48 or FER2013's
 * `Training/`. Subject, sequence and frame come from CK+-style file names (Sxxx_yyy_zzzzzzzz.png) where present.
 */
export async function loadFolderDataset(root: string, options: FolderDatasetOptions = {}): Promise<Manifest> {
  const absRoot = resolve(root);
  const source = options.source ?? basename(absRoot);
  const skipped: SkippedItem[] = [];
  const top = await listDir(absRoot);
  const ignore = new Set(options.ignoreFolders ?? []);
  let classDirs = top.dirs.filter((dir) => !ignore.has(dir));
  for (const dir of top.dirs) if (ignore.has(dir)) skipped.push({ path: dir, reason: "ignored-folder" });
  classDirs = await withoutLoops(absRoot, classDirs, skipped);
  // Class folders named by the user stay classes (an empty one is the caller's to report, see
  // checkClasses); found ones are classes only when they hold images.
  if (!options.labelNames) classDirs = await withImages(absRoot, classDirs, skipped);
  for (const name of [...top.files, ...top.system]) skipped.push(skipFile(name, name));
  const labelNames = options.labelNames ? [...options.labelNames] : [...classDirs];
  const entries = await readClassFolders(absRoot, "", classDirs, labelNames, source, skipped);
  const manifest = makeManifest({ source, root: absRoot, labelNames, entries, skipped });
  await validateManifest(manifest);
  return manifest;
}

/** The folders that are not symbolic links back to the root (or above it) or to a folder already listed. */
async function withoutLoops(root: string, dirs: readonly string[], skipped: SkippedItem[]): Promise<string[]> {
  const rootReal = await realpath(root);
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const dir of dirs) {
    const real = await realpath(join(root, dir));
    if (rootReal === real || rootReal.startsWith(real + sep) || seen.has(real)) {
      skipped.push({ path: dir, reason: "link-into-dataset", detail: `leads to ${real}` });
      continue;
    }
    seen.add(real);
    kept.push(dir);
  }
  return kept;
}

/** The folders that hold at least one image file; the others are recorded as skipped. */
async function withImages(root: string, dirs: readonly string[], skipped: SkippedItem[]): Promise<string[]> {
  const kept: string[] = [];
  for (const dir of dirs) {
    if ((await listDir(join(root, dir))).files.some(isImageFile)) kept.push(dir);
    else skipped.push({ path: dir, reason: "empty-folder" });
  }
  return kept;
}

/**
 * Entries of the class folders `<root>/<prefix><class>/`: each folder must name a label (aliases allowed),
 * else a DatasetError names it. Shared by the folder and FER2013 loaders.
 */
export async function readClassFolders(
  root: string,
  prefix: string,
  classDirs: readonly string[],
  labelNames: readonly string[],
  source: string,
  skipped: SkippedItem[],
): Promise<ManifestEntry[]> {
  const labels = classDirs.map((dir) => {
    const label = findLabel(labelNames, dir);
    if (label < 0) {
      throw new DatasetError(join(root, prefix, dir), `unknown class folder; expected one of ${labelNames.join(", ")}`);
    }
    return label;
  });
  labels.forEach((label, i) => {
    const first = labels.indexOf(label);
    if (first !== i) {
      throw new DatasetError(
        join(root, prefix, classDirs[i]),
        `same class (${labelNames[label]}) as folder ${classDirs[first]}; leave one out with ignoreFolders`,
      );
    }
  });
  const perFolder = await Promise.all(
    classDirs.map(async (dir, i) => {
      const rel = `${prefix}${dir}`;
      const listing = await listDir(join(root, rel));
      for (const sub of listing.dirs) skipped.push({ path: `${rel}/${sub}`, reason: "ignored-folder" });
      for (const name of listing.system) skipped.push({ path: `${rel}/${name}`, reason: "system-file" });
      const label = labels[i];
      const entries: ManifestEntry[] = [];
      for (const name of listing.files) {
        if (!isImageFile(name)) {
          skipped.push({ path: `${rel}/${name}`, reason: "not-an-image" });
          continue;
        }
        const path = `${rel}/${name}`;
        const ck = parseCkPlusName(name);
        entries.push({
          path,
          file: fileUnder(root, path),
          label,
          labelName: labelNames[label],
          subject: ck ? ck.subject : null,
          sequence: ck ? ck.sequence : null,
          frame: ck ? ck.frame : null,
          source,
        });
      }
      return entries;
    }),
  );
  return perFolder.flat();
}
