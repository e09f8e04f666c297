import { resolve } from "node:path";
import { DatasetError } from "./errors.js";
import { readClassFolders } from "./folder.js";
import { FER2013_LABELS } from "./labels.js";
import { findDir, listDir } from "./list-dir.js";
import { makeManifest, type Manifest, type ManifestEntry, type SkippedItem } from "./manifest.js";
import { skipFile } from "./skip.js";
import { validateManifest } from "./validate.js";

export type Fer2013Part = "Training" | "PublicTest" | "PrivateTest";

export interface Fer2013Options {
  /** Which split folders to load. Default ["Training", "PublicTest"]. */
  parts?: readonly Fer2013Part[];
}

/**
 * Loads FER2013's image-folder release (`<root>/Training/<class>/*.jpg`, `<root>/PublicTest/<class>/*.jpg`)
 * with the challenge's label order. Entries are keyed by full path (`Training/happy/Training_1.jpg`):
 * some file names occur in two classes.
 */
export async function loadFer2013(root: string, options: Fer2013Options = {}): Promise<Manifest> {
  const parts = options.parts ?? ["Training", "PublicTest"];
  const absRoot = resolve(root);
  const labelNames = [...FER2013_LABELS];
  const skipped: SkippedItem[] = [];
  const top = await listDir(absRoot);
  const partDirs = parts.map((part) => {
    const dir = findDir(top, part);
    if (!dir) throw new DatasetError(absRoot, `no "${part}" folder: is this the FER2013 image-folder release?`);
    return dir;
  });
  for (const dir of top.dirs) if (!partDirs.includes(dir)) skipped.push({ path: dir, reason: "ignored-folder" });
  for (const name of [...top.files, ...top.system]) skipped.push(skipFile(name, name));
  const entries: ManifestEntry[] = [];
  for (const dir of partDirs) {
    const listing = await listDir(resolve(absRoot, dir));
    for (const name of [...listing.files, ...listing.system]) skipped.push(skipFile(`${dir}/${name}`, name));
    entries.push(...(await readClassFolders(absRoot, `${dir}/`, listing.dirs, labelNames, "fer2013", skipped)));
  }
  const manifest = makeManifest({ source: "fer2013", root: absRoot, labelNames, entries, skipped });
  await validateManifest(manifest);
  return manifest;
}
