const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".tif", ".tiff", ".webp"]);
const SYSTEM_NAMES = new Set(["thumbs.db", "desktop.ini", "__macosx"]);

/** macOS resource forks (`._x`), `.DS_Store`, other dot-files, Windows' Thumbs.db, zip's `__MACOSX`. */
export function isSystemFile(name: string): boolean {
  return name.startsWith(".") || SYSTEM_NAMES.has(name.toLowerCase());
}

export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot).toLowerCase());
}

export interface CkPlusName {
  subject: string;
  sequence: string;
  frame: number;
}

const CK_PLUS_NAME = /^(S\d{3})_(\d{3})_(\d{8})(?:_emotion\.txt|\.[A-Za-z]+)$/;

/** Parses `S005_001_00000011.png` (or `..._emotion.txt`) into subject S005, sequence S005_001, frame 11. */
export function parseCkPlusName(name: string): CkPlusName | null {
  const match = CK_PLUS_NAME.exec(name);
  if (!match) return null;
  return { subject: match[1], sequence: `${match[1]}_${match[2]}`, frame: Number(match[3]) };
}

const OULU_FRAME = /^(\d+)\.(?:jpe?g|png|bmp)$/i;

/** Frame number of an Oulu-CASIA frame file (`007.jpeg` -> 7), or null. */
export function parseOuluFrame(name: string): number | null {
  const match = OULU_FRAME.exec(name);
  return match ? Number(match[1]) : null;
}

export function toPosix(path: string): string {
  return path.split("\\").join("/");
}

/** Absolute file of a relative POSIX path under an absolute root; plain concatenation, as path.join is slow at 30k files. */
export function fileUnder(root: string, relative: string): string {
  return root.endsWith("/") || root.endsWith("\\") ? root + relative : `${root}/${relative}`;
}
