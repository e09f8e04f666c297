import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { DatasetError } from "./errors.js";
import { parseCkPlusName, parseOuluFrame, toPosix } from "./file-names.js";
import { OULU_CASIA_LABELS, findLabel } from "./labels.js";
import { makeManifest, type Manifest, type ManifestEntry } from "./manifest.js";
import { validateManifest } from "./validate.js";
import { writeFileAtomic } from "./write-atomic.js";

export interface ReadLabelListOptions {
  /** Label names in label order. Default: "0", "1", ... up to the largest label in the file. */
  labelNames?: readonly string[];
  /** Folder that relative image paths start from. Default: the list file's folder. */
  root?: string;
  /** Check that every listed image exists. Default true. */
  checkFiles?: boolean;
  /** Name recorded as each entry's source. Default: the list file's name. */
  source?: string;
}

const LINE = /^(.*\S)\s+(-?\d+)$/;

/**
 * Reads the authors' label list: one `<image path> <int label>` per line. Subject, sequence and frame
 * are read from CK+ file names (Sxxx_yyy_zzzzzzzz.png) or Oulu-CASIA paths (.../P001/Anger/000.jpeg).
 */
export async function readLabelList(file: string, options: ReadLabelListOptions = {}): Promise<Manifest> {
  const absFile = resolve(file);
  let text: string;
  try {
    text = await readFile(absFile, "utf8");
  } catch (error) {
    throw new DatasetError(absFile, `cannot read label list (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const root = resolve(options.root ?? dirname(absFile));
  const source = options.source ?? basename(absFile);
  const rows: { path: string; label: number }[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const match = LINE.exec(line);
    if (!match) throw new DatasetError(`${absFile}:${i + 1}`, `expected "<image path> <int label>", found "${line.slice(0, 80)}"`);
    const path = match[1];
    const earlier = seen.get(path);
    if (earlier !== undefined) throw new DatasetError(`${absFile}:${i + 1}`, `duplicate path ${path} (also on line ${earlier})`);
    seen.set(path, i + 1);
    rows.push({ path, label: Number(match[2]) });
  });
  const maxLabel = rows.reduce((max, row) => Math.max(max, row.label), -1);
  const labelNames = options.labelNames
    ? [...options.labelNames]
    : Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  const entries: ManifestEntry[] = rows.map(({ path, label }) => {
    if (label < 0 || label >= labelNames.length) {
      throw new DatasetError(`${absFile}:${seen.get(path)}`, `label ${label} is outside 0..${labelNames.length - 1}`);
    }
    return { path, file: isAbsolute(path) ? path : resolve(root, path), label, labelName: labelNames[label], ...identify(path), source };
  });
  const manifest = makeManifest({ source, root, labelNames, entries, skipped: [] });
  await validateManifest(manifest, { checkFiles: options.checkFiles ?? true });
  return manifest;
}

/** Subject, sequence and frame from a CK+ file name or an Oulu-CASIA path, else nulls. */
function identify(path: string): Pick<ManifestEntry, "subject" | "sequence" | "frame"> {
  const parts = toPosix(path).split("/");
  const name = parts[parts.length - 1];
  const ck = parseCkPlusName(name);
  if (ck) return ck;
  const subject = parts.length >= 3 ? parts[parts.length - 3] : "";
  const expression = parts.length >= 2 ? parts[parts.length - 2] : "";
  const frame = parseOuluFrame(name);
  const label = findLabel(OULU_CASIA_LABELS, expression);
  if (frame !== null && /^P\d+$/i.test(subject) && label >= 0) {
    const id = subject.toUpperCase();
    return { subject: id, sequence: `${id}_${OULU_CASIA_LABELS[label]}`, frame };
  }
  return { subject: null, sequence: null, frame: null };
}

export interface WriteLabelListOptions {
  /** Write each entry's absolute file path instead of its manifest path. Default false. */
  absolute?: boolean;
}

/** Writes `<image path> <int label>` lines (the authors' format), to a temporary name then renamed. */
export async function writeLabelList(
  file: string,
  entries: readonly ManifestEntry[],
  options: WriteLabelListOptions = {},
): Promise<void> {
  const lines = entries.map((entry) => {
    const path = options.absolute ? entry.file : entry.path;
    if (/[\r\n]/.test(path) || path !== path.trim()) {
      throw new DatasetError(path, "a path with a line break or leading/trailing space cannot be written to a label list");
    }
    return `${path} ${entry.label}\n`;
  });
  await writeFileAtomic(resolve(file), lines.join(""));
}
