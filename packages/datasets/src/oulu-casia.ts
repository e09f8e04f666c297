import { join, resolve } from "node:path";
import { DatasetError } from "./errors.js";
import { fileUnder, parseOuluFrame } from "./file-names.js";
import { findLabel, OULU_CASIA_LABELS } from "./labels.js";
import { findDir, listDir, type DirListing } from "./list-dir.js";
import { makeManifest, type Manifest, type ManifestEntry, type SkippedItem } from "./manifest.js";
import { requirePositiveInteger, skipFile } from "./skip.js";
import { validateManifest } from "./validate.js";

export interface OuluCasiaOptions {
  /** Camera: "VL" (visible light, the paper) or "NI" (near infrared). Default "VL". */
  spectrum?: "VL" | "NI";
  /** Lighting: "Strong" (the paper), "Weak" or "Dark". Default "Strong". */
  illumination?: "Strong" | "Weak" | "Dark";
  /** How many frames to take from the end of each sequence. Default 3. */
  peakFrames?: number;
  /**
   * Release folder under the root ("OriginalImg" or "Cropped"). By default the root may itself hold VL/NI,
   * else OriginalImg is used, else Cropped.
   */
  release?: string;
}

const SUBJECT_DIR = /^P\d+$/i;

/**
 * Loads Oulu-CASIA NIR&VIS from its original layout, `OriginalImg/{VL,NI}/{Strong,Weak,Dark}/Pxxx/<Expression>/nnn.jpeg`
 * (or the cropped release, `Cropped/...`), keeping one subset (default VL/Strong) and the last 3 frames
 * of each sequence, as the paper: 6 classes, 80 subjects x 6 sequences x 3 = 1,440 images.
 */
export async function loadOuluCasia(root: string, options: OuluCasiaOptions = {}): Promise<Manifest> {
  const spectrum = options.spectrum ?? "VL";
  const illumination = options.illumination ?? "Strong";
  const peakFrames = options.peakFrames ?? 3;
  requirePositiveInteger("peakFrames", peakFrames);
  const absRoot = resolve(root);
  const skipped: SkippedItem[] = [];

  const release = await findRelease(absRoot, spectrum, options.release, skipped);
  const prefix = release === "" ? "" : `${release}/`;
  const releaseListing = await listDir(join(absRoot, release));
  const spectrumDir = pickDir(releaseListing, spectrum, join(absRoot, release), prefix, skipped);
  const subsetListing = await listDir(join(absRoot, release, spectrumDir));
  const lightDir = pickDir(subsetListing, illumination, join(absRoot, release, spectrumDir), `${prefix}${spectrumDir}/`, skipped);
  const subsetRel = `${prefix}${spectrumDir}/${lightDir}`;

  const labelNames = [...OULU_CASIA_LABELS];
  const entries: ManifestEntry[] = [];
  const subjects = await listDir(join(absRoot, subsetRel));
  for (const name of [...subjects.files, ...subjects.system]) skipped.push(skipFile(`${subsetRel}/${name}`, name));
  await Promise.all(
    subjects.dirs.map(async (subjectDir) => {
      const subjectRel = `${subsetRel}/${subjectDir}`;
      if (!SUBJECT_DIR.test(subjectDir)) {
        skipped.push({ path: subjectRel, reason: "unrecognised-name", detail: "expected a subject folder Pxxx" });
        return;
      }
      const subject = subjectDir.toUpperCase();
      const expressions = await listDir(join(absRoot, subjectRel));
      for (const name of [...expressions.files, ...expressions.system]) {
        skipped.push(skipFile(`${subjectRel}/${name}`, name));
      }
      const seenLabels = new Map<number, string>();
      for (const expression of expressions.dirs) {
        const label = findLabel(labelNames, expression);
        if (label < 0) {
          throw new DatasetError(
            join(absRoot, subjectRel, expression),
            `unknown class folder; expected one of ${labelNames.join(", ")}`,
          );
        }
        const earlier = seenLabels.get(label);
        if (earlier !== undefined) {
          throw new DatasetError(join(absRoot, subjectRel), `two folders for class ${labelNames[label]}: ${earlier}, ${expression}`);
        }
        seenLabels.set(label, expression);
      }
      await Promise.all(
        [...seenLabels].map(async ([label, expression]) => {
          const dir = `${subjectRel}/${expression}`;
          const listing = await listDir(join(absRoot, dir));
          for (const sub of listing.dirs) skipped.push({ path: `${dir}/${sub}`, reason: "ignored-folder" });
          for (const name of listing.system) skipped.push({ path: `${dir}/${name}`, reason: "system-file" });
          const frames: { name: string; frame: number }[] = [];
          for (const name of listing.files) {
            const frame = parseOuluFrame(name);
            if (frame === null) skipped.push(skipFile(`${dir}/${name}`, name));
            else frames.push({ name, frame });
          }
          if (frames.length === 0) {
            skipped.push({ path: dir, reason: "empty-sequence" });
            return;
          }
          frames.sort((a, b) => a.frame - b.frame);
          const first = Math.max(0, frames.length - peakFrames);
          if (frames.length < peakFrames) {
            skipped.push({ path: dir, reason: "short-sequence", detail: `${frames.length} of ${peakFrames} peak frames` });
          }
          frames.forEach((frame, index) => {
            const path = `${dir}/${frame.name}`;
            if (index < first) {
              skipped.push({ path, reason: "not-selected" });
              return;
            }
            entries.push({
              path,
              file: fileUnder(absRoot, path),
              label,
              labelName: labelNames[label],
              subject,
              sequence: `${subject}_${OULU_CASIA_LABELS[label]}`,
              frame: frame.frame,
              source: "oulu-casia",
            });
          });
        }),
      );
    }),
  );

  const manifest = makeManifest({ source: "oulu-casia", root: absRoot, labelNames, entries, skipped });
  await validateManifest(manifest);
  return manifest;
}

/** The release folder ("" when the root itself holds VL/NI); other top-level folders are recorded as ignored. */
async function findRelease(root: string, spectrum: string, wanted: string | undefined, skipped: SkippedItem[]): Promise<string> {
  const top = await listDir(root);
  let release: string | undefined;
  if (wanted !== undefined) {
    release = findDir(top, wanted);
    if (!release) throw new DatasetError(root, `no "${wanted}" folder`);
  } else if (findDir(top, spectrum)) {
    release = "";
  } else {
    release = findDir(top, "OriginalImg") ?? findDir(top, "Cropped");
    if (!release) throw new DatasetError(root, `no OriginalImg, Cropped or ${spectrum} folder: is this the Oulu-CASIA root?`);
  }
  // When the root itself holds VL/NI, pickDir records the root's other contents.
  if (release !== "") {
    for (const dir of top.dirs) if (dir !== release) skipped.push({ path: dir, reason: "ignored-folder" });
    for (const name of [...top.files, ...top.system]) skipped.push(skipFile(name, name));
  }
  return release;
}

/** Picks the sub-folder of the chosen subset and records its siblings (the other subsets) as ignored. */
function pickDir(listing: DirListing, wanted: string, absDir: string, relPrefix: string, skipped: SkippedItem[]): string {
  const found = findDir(listing, wanted);
  if (!found) throw new DatasetError(absDir, `no "${wanted}" folder (found: ${listing.dirs.join(", ") || "none"})`);
  for (const dir of listing.dirs) {
    if (dir !== found) skipped.push({ path: `${relPrefix}${dir}`, reason: "ignored-folder", detail: "subset not selected" });
  }
  for (const name of [...listing.files, ...listing.system]) skipped.push(skipFile(`${relPrefix}${name}`, name));
  return found;
}
