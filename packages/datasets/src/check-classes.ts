import { DatasetError } from "./errors.js";
import type { Manifest } from "./manifest.js";

export interface CheckClassesOptions {
  /**
   * Classes without images are warnings instead of errors: for when the user chose the label
   * set (e.g. 8 CK+ labels over a folder that has 7).
   */
  allowEmptyClasses?: boolean;
}

/**
 * Checks that a manifest can train or test a classifier: at least two classes have images, and
 * (unless allowed) every class has. Returns the warnings to show; throws a DatasetError naming
 * the dataset's root otherwise. A one-class dataset scores 100 % whatever is learnt.
 */
export function checkClasses(manifest: Manifest, options: CheckClassesOptions = {}): string[] {
  const counts = manifest.labelNames.map(() => 0);
  for (const entry of manifest.entries) counts[entry.label] += 1;
  const empty = manifest.labelNames.filter((_, label) => counts[label] === 0);
  const present = manifest.labelNames.length - empty.length;
  if (present < 2) {
    const which = present === 1 ? `only class ${manifest.labelNames[counts.findIndex((n) => n > 0)]} has images` : "no class has images";
    throw new DatasetError(manifest.root, `${which}; a classifier needs at least two classes (are the labels or class folders missing or misnamed?)`);
  }
  if (empty.length === 0) return [];
  const message = `no images of class${empty.length > 1 ? "es" : ""} ${empty.join(", ")} (of ${manifest.labelNames.join(", ")})`;
  if (!options.allowEmptyClasses) throw new DatasetError(manifest.root, `${message}; every class needs images to train and test on`);
  return [`${manifest.root}: ${message}: the model learns nothing of ${empty.length > 1 ? "them" : "it"}, and no recall is measured for ${empty.length > 1 ? "them" : "it"}`];
}
