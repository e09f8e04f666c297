/** One image of a dataset with its label and, where known, who and which video frame it shows. */
export interface ManifestEntry {
  /** Path that identifies the image: relative to the manifest root (POSIX `/`), or as written in a label list. */
  path: string;
  /** Absolute path to read the image from. */
  file: string;
  /** Index into the manifest's `labelNames`. */
  label: number;
  labelName: string;
  /** Subject id (e.g. `S005`, `P001`), or null when the dataset does not say. */
  subject: string | null;
  /** Sequence id unique within the dataset (e.g. `S005_001`, `P001_anger`), or null. */
  sequence: string | null;
  /** Frame number within the sequence, or null. */
  frame: number | null;
  /** Which dataset the entry came from (e.g. `ckplus`, `oulu-casia`, `fer2013`, a folder's name). */
  source: string;
}

export type SkipReason =
  | "system-file"
  | "not-an-image"
  | "unrecognised-name"
  | "ignored-folder"
  | "not-selected"
  | "empty-sequence"
  | "short-sequence"
  | "empty-folder"
  | "link-into-dataset";

/** Something a loader saw and did not turn into an entry, and why. */
export interface SkippedItem {
  path: string;
  reason: SkipReason;
  detail?: string;
}

export interface Manifest {
  source: string;
  /** Absolute folder the entries' relative paths start from. */
  root: string;
  labelNames: string[];
  /** Sorted by path. */
  entries: ManifestEntry[];
  skipped: SkippedItem[];
}

export const SKIP_REASONS: Record<SkipReason, string> = {
  "system-file": "hidden or system file (macOS ._*, .DS_Store, Thumbs.db)",
  "not-an-image": "not an image file",
  "unrecognised-name": "name does not follow the dataset's layout",
  "ignored-folder": "folder not used by this loader or subset",
  "not-selected": "frame not chosen by the frame selection",
  "empty-sequence": "sequence folder without frames",
  "short-sequence": "sequence has fewer frames than asked for",
  "empty-folder": "class folder without images (not made a class)",
  "link-into-dataset": "symbolic link to the dataset itself or to a folder already read",
};

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds a manifest with entries sorted by path, so that order never depends on the file system. */
export function makeManifest(parts: Manifest): Manifest {
  const entries = [...parts.entries].sort((a, b) => comparePaths(a.path, b.path));
  const skipped = [...parts.skipped].sort((a, b) => comparePaths(a.path, b.path));
  return { ...parts, entries, skipped };
}
