import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { DatasetError } from "./errors.js";
import { fileUnder, isImageFile, parseCkPlusName } from "./file-names.js";
import { CK_PLUS_EMOTIONS, CK_PLUS_LABELS } from "./labels.js";
import { findDir, listDir, type DirListing } from "./list-dir.js";
import { makeManifest, type Manifest, type ManifestEntry, type SkippedItem } from "./manifest.js";
import { requirePositiveInteger, skipFile } from "./skip.js";
import { validateManifest } from "./validate.js";

export interface CkPlusOptions {
  /** How many frames to take from the end of each labelled sequence (ending at the labelled frame). Default 3. */
  peakFrames?: number;
  /**
   * Which sequences give their first frame as a neutral image: every sequence (the paper, 8 classes),
   * only the labelled ones, or none (7 classes, anger = 0). Default "all-sequences".
   */
  neutral?: "all-sequences" | "labelled-sequences" | "none";
  /** Name of the images folder under the root. Default "cohn-kanade-images". */
  imagesFolder?: string;
  /** Name of the emotion labels folder under the root. Default "Emotion". */
  emotionFolder?: string;
}

interface Frame {
  name: string;
  frame: number;
}

interface Sequence {
  id: string;
  subject: string;
  /** Relative path of the sequence folder, e.g. cohn-kanade-images/S005/001. */
  dir: string;
  frames: Frame[];
}

interface EmotionLabel {
  file: string;
  code: number;
  frame: number;
}

const SUBJECT_DIR = /^S\d{3}$/;
const SEQUENCE_DIR = /^\d{3}$/;

/**
 * Loads CK+ from its original layout: `cohn-kanade-images/Sxxx/yyy/Sxxx_yyy_zzzzzzzz.png` with labels in
 * `Emotion/Sxxx/yyy/Sxxx_yyy_zzzzzzzz_emotion.txt`. By default selects as the paper: the last 3 frames of
 * every labelled sequence with its label, plus the first frame of every sequence as neutral (8 classes).
 */
export async function loadCkPlus(root: string, options: CkPlusOptions = {}): Promise<Manifest> {
  const peakFrames = options.peakFrames ?? 3;
  requirePositiveInteger("peakFrames", peakFrames);
  const neutral = options.neutral ?? "all-sequences";
  const absRoot = resolve(root);
  const skipped: SkippedItem[] = [];

  const top = await listDir(absRoot);
  const imagesWanted = options.imagesFolder ?? "cohn-kanade-images";
  const emotionWanted = options.emotionFolder ?? "Emotion";
  const imagesDir = findDir(top, imagesWanted);
  if (!imagesDir) throw new DatasetError(absRoot, `no "${imagesWanted}" folder: is this the CK+ root?`);
  const emotionDir = findDir(top, emotionWanted);
  if (!emotionDir) throw new DatasetError(absRoot, `no "${emotionWanted}" folder with the CK+ emotion labels`);
  for (const dir of top.dirs) {
    if (dir !== imagesDir && dir !== emotionDir) skipped.push({ path: dir, reason: "ignored-folder" });
  }
  for (const name of [...top.files, ...top.system]) skipped.push(skipFile(name, name));

  const sequences = await readSequences(absRoot, imagesDir, skipped);
  const labels = await readEmotionLabels(absRoot, emotionDir, imagesDir, sequences, skipped);
  // Without labels every image would be "neutral": a one-class dataset that scores 100 %.
  if (labels.size === 0) {
    throw new DatasetError(join(absRoot, emotionDir), "holds no emotion label (Sxxx/yyy/Sxxx_yyy_zzzzzzzz_emotion.txt): is it empty, or are its folders misnamed?");
  }

  const labelNames: string[] = neutral === "none" ? [...CK_PLUS_EMOTIONS] : [...CK_PLUS_LABELS];
  const entries: ManifestEntry[] = [];
  for (const sequence of sequences.values()) {
    if (sequence.frames.length === 0) {
      skipped.push({ path: sequence.dir, reason: "empty-sequence" });
      continue;
    }
    const label = labels.get(sequence.id);
    const chosen = new Map<number, number>(); // frame index -> label index
    const wantsNeutral = neutral === "all-sequences" || (neutral === "labelled-sequences" && label !== undefined);
    if (wantsNeutral) chosen.set(0, 0);
    if (label) {
      const last = sequence.frames.findIndex((f) => f.frame === label.frame);
      // The neutral first frame is never also a peak frame.
      const first = Math.max(wantsNeutral ? 1 : 0, last - peakFrames + 1);
      for (let i = first; i <= last; i++) chosen.set(i, neutral === "none" ? label.code - 1 : label.code);
      const taken = last - first + 1;
      if (taken < peakFrames) {
        skipped.push({
          path: sequence.dir,
          reason: "short-sequence",
          detail: `${Math.max(taken, 0)} of ${peakFrames} peak frames`,
        });
      }
    }
    sequence.frames.forEach((frame, index) => {
      const path = `${sequence.dir}/${frame.name}`;
      const labelIndex = chosen.get(index);
      if (labelIndex === undefined) {
        skipped.push({ path, reason: "not-selected" });
        return;
      }
      entries.push({
        path,
        file: fileUnder(absRoot, path),
        label: labelIndex,
        labelName: labelNames[labelIndex],
        subject: sequence.subject,
        sequence: sequence.id,
        frame: frame.frame,
        source: "ckplus",
      });
    });
  }

  const manifest = makeManifest({ source: "ckplus", root: absRoot, labelNames, entries, skipped });
  await validateManifest(manifest);
  return manifest;
}

/**
 * Visits every sequence folder `<top>/Sxxx/yyy` (CK+ lays out images and labels the same way)
 * with its listing; stray files, misnamed folders, sub-folders and system files are recorded
 * in `skipped`.
 */
async function forEachSequenceFolder(
  root: string,
  top: string,
  skipped: SkippedItem[],
  visit: (folder: { subject: string; seq: string; dir: string; listing: DirListing }) => Promise<void> | void,
): Promise<void> {
  const subjects = await listDir(join(root, top));
  for (const name of [...subjects.files, ...subjects.system]) skipped.push(skipFile(`${top}/${name}`, name));
  await Promise.all(
    subjects.dirs.map(async (subject) => {
      const subjectRel = `${top}/${subject}`;
      if (!SUBJECT_DIR.test(subject)) {
        skipped.push({ path: subjectRel, reason: "unrecognised-name", detail: "expected a subject folder Sxxx" });
        return;
      }
      const seqs = await listDir(join(root, subjectRel));
      for (const name of [...seqs.files, ...seqs.system]) skipped.push(skipFile(`${subjectRel}/${name}`, name));
      await Promise.all(
        seqs.dirs.map(async (seq) => {
          const dir = `${subjectRel}/${seq}`;
          if (!SEQUENCE_DIR.test(seq)) {
            skipped.push({ path: dir, reason: "unrecognised-name", detail: "expected a sequence folder yyy" });
            return;
          }
          const listing = await listDir(join(root, dir));
          for (const sub of listing.dirs) skipped.push({ path: `${dir}/${sub}`, reason: "ignored-folder" });
          for (const name of listing.system) skipped.push({ path: `${dir}/${name}`, reason: "system-file" });
          await visit({ subject, seq, dir, listing });
        }),
      );
    }),
  );
}

/** Every sequence folder of cohn-kanade-images with its frames sorted by frame number, keyed by `Sxxx_yyy`. */
async function readSequences(root: string, imagesDir: string, skipped: SkippedItem[]): Promise<Map<string, Sequence>> {
  const found: Sequence[] = [];
  await forEachSequenceFolder(root, imagesDir, skipped, ({ subject, seq, dir, listing }) => {
    const id = `${subject}_${seq}`;
    const frames: Frame[] = [];
    for (const name of listing.files) {
      const parsed = isImageFile(name) ? parseCkPlusName(name) : null;
      if (!parsed) {
        skipped.push(skipFile(`${dir}/${name}`, name));
        continue;
      }
      if (parsed.sequence !== id) {
        throw new DatasetError(join(root, dir, name), `file name says ${parsed.sequence} but it is in ${dir}`);
      }
      frames.push({ name, frame: parsed.frame });
    }
    frames.sort((a, b) => a.frame - b.frame);
    found.push({ id, subject, dir, frames });
  });
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Map(found.map((s) => [s.id, s]));
}

/** The emotion label of each labelled sequence, keyed by `Sxxx_yyy`; every label file is checked against the images. */
async function readEmotionLabels(
  root: string,
  emotionDir: string,
  imagesDir: string,
  sequences: Map<string, Sequence>,
  skipped: SkippedItem[],
): Promise<Map<string, EmotionLabel>> {
  const labels = new Map<string, EmotionLabel>();
  await forEachSequenceFolder(root, emotionDir, skipped, async ({ subject, seq, dir, listing }) => {
    const labelFiles = listing.files.filter((name) => name.endsWith("_emotion.txt"));
    for (const name of listing.files) {
      if (!name.endsWith("_emotion.txt")) skipped.push(skipFile(`${dir}/${name}`, name));
    }
    if (labelFiles.length === 0) return; // an unlabelled sequence: CK+ ships empty folders for them
    if (labelFiles.length > 1) {
      throw new DatasetError(join(root, dir), `more than one emotion label file: ${labelFiles.join(", ")}`);
    }
    const label = await readEmotionFile(join(root, dir, labelFiles[0]), `${subject}_${seq}`);
    const sequence = sequences.get(`${subject}_${seq}`);
    if (!sequence) throw new DatasetError(label.file, `no image sequence folder ${join(root, imagesDir, subject, seq)}`);
    if (!sequence.frames.some((f) => f.frame === label.frame)) {
      throw new DatasetError(label.file, `labels frame ${label.frame}, but ${sequence.dir} has no image of that frame`);
    }
    labels.set(sequence.id, label);
  });
  return labels;
}

async function readEmotionFile(file: string, expectedSequence: string): Promise<EmotionLabel> {
  const parsed = parseCkPlusName(basename(file));
  if (!parsed) throw new DatasetError(file, "label file name is not Sxxx_yyy_zzzzzzzz_emotion.txt");
  if (parsed.sequence !== expectedSequence) {
    throw new DatasetError(file, `file name says ${parsed.sequence} but it is in the folder of ${expectedSequence}`);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DatasetError(file, `cannot read label file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const trimmed = text.trim();
  const code = trimmed === "" ? Number.NaN : Number(trimmed);
  if (!Number.isInteger(code) || code < 1 || code > 7) {
    throw new DatasetError(file, `expected one emotion code 1..7 (e.g. "3.0000000e+00"), found "${trimmed.slice(0, 40)}"`);
  }
  return { file, code, frame: parsed.frame };
}
