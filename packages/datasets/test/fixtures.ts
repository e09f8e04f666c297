// Builds tiny dataset trees in the original CK+, Oulu-CASIA and class-folder layouts in a temp dir.
// The images are 4x4 generated gray squares: no real face ever enters the repository.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import type { Manifest, ManifestEntry } from "../src/index.js";

let png: Buffer | undefined;
let jpeg: Buffer | undefined;

function square(gray: number) {
  return sharp({ create: { width: 4, height: 4, channels: 3, background: { r: gray, g: gray, b: gray } } });
}

export async function tinyPng(): Promise<Buffer> {
  png ??= await square(128).grayscale().png().toBuffer();
  return png;
}

export async function tinyJpeg(): Promise<Buffer> {
  jpeg ??= await square(96).jpeg().toBuffer();
  return jpeg;
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `microexp-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A maker of temporary folders that `removeAll` deletes (call it in afterAll). */
export function tempDirs(): { make: (prefix: string) => Promise<string>; removeAll: () => Promise<void> } {
  const removers: Array<() => Promise<void>> = [];
  return {
    make: async (prefix) => {
      const { dir, remove } = await tempDir(prefix);
      removers.push(remove);
      return dir;
    },
    removeAll: async () => {
      await Promise.all(removers.map((remove) => remove()));
    },
  };
}

export async function put(file: string, content: Buffer | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

export interface CkSequenceSpec {
  subject: string; // "S005"
  sequence: string; // "001"
  frames: number; // frames 1..frames
  /** CK+ emotion code 1..7 for the last frame; undefined = unlabelled (empty Emotion folder). */
  emotion?: number;
  /** Raw text of the emotion file (default the CK+ float format of `emotion`). */
  emotionText?: string;
  /** Frame the emotion file names (default the last frame). */
  labelledFrame?: number;
}

export function ckFrameName(subject: string, sequence: string, frame: number, suffix = ".png"): string {
  return `${subject}_${sequence}_${pad(frame, 8)}${suffix}`;
}

/** A CK+ tree in its distribution layout, with the optional Landmarks/FACS folders and macOS debris. */
export async function buildCkPlus(root: string, sequences: readonly CkSequenceSpec[]): Promise<void> {
  const image = await tinyPng();
  await put(join(root, ".DS_Store"), "junk");
  await put(join(root, "ReadMeCohnKanadeDatabase_website.txt"), "readme");
  for (const s of sequences) {
    const imageDir = join(root, "cohn-kanade-images", s.subject, s.sequence);
    for (let f = 1; f <= s.frames; f++) await put(join(imageDir, ckFrameName(s.subject, s.sequence, f)), image);
    await put(join(imageDir, `._${ckFrameName(s.subject, s.sequence, 1)}`), Buffer.from([0, 5, 22, 7, 0xff]));
    await put(join(imageDir, ".DS_Store"), "junk");
    const emotionDir = join(root, "Emotion", s.subject, s.sequence);
    await mkdir(emotionDir, { recursive: true });
    const last = s.labelledFrame ?? s.frames;
    if (s.emotion !== undefined || s.emotionText !== undefined) {
      const name = ckFrameName(s.subject, s.sequence, last, "_emotion.txt");
      const text = s.emotionText ?? `   ${s.emotion ?? 0}.0000000e+00\n`;
      await put(join(emotionDir, name), text);
      await put(join(emotionDir, `._${name}`), Buffer.from([0, 5, 22, 7, 0xff, 0xfe]));
    }
    const landmarks = join(root, "Landmarks", s.subject, s.sequence, ckFrameName(s.subject, s.sequence, last, "_landmarks.txt"));
    await put(landmarks, "   1.0e+02   2.0e+02\n");
    await put(join(root, "FACS", s.subject, s.sequence, ckFrameName(s.subject, s.sequence, last, "_facs.txt")), "1 0\n");
  }
}

/** The CK+ fixture most tests use: 3 subjects, 7 sequences, 5 of them labelled. */
export const CK_SEQUENCES: readonly CkSequenceSpec[] = [
  { subject: "S005", sequence: "001", frames: 5, emotion: 3 },
  { subject: "S005", sequence: "002", frames: 4 },
  { subject: "S010", sequence: "001", frames: 6, emotion: 7 },
  { subject: "S010", sequence: "002", frames: 4, emotion: 5 },
  { subject: "S010", sequence: "006", frames: 7 },
  { subject: "S011", sequence: "001", frames: 8, emotion: 1 },
  { subject: "S011", sequence: "004", frames: 5, emotion: 2 },
];

export const OULU_EXPRESSIONS = ["Anger", "Disgust", "Fear", "Happiness", "Sadness", "Surprise"] as const;

export interface OuluSpec {
  /** "OriginalImg", "Cropped", or "" to put VL/NI straight under the root. */
  release: string;
  subjects: number;
  /** Frames of one sequence; frames are named 000.jpeg, 001.jpeg, ... */
  frames: (subject: number, expression: number, subset: string) => number;
  subsets?: readonly string[];
}

/** An Oulu-CASIA tree: <release>/<VL|NI>/<Strong|Weak|Dark>/Pxxx/<Expression>/nnn.jpeg. */
export async function buildOuluCasia(root: string, spec: OuluSpec): Promise<void> {
  const image = await tinyJpeg();
  const subsets = spec.subsets ?? ["VL/Strong", "VL/Weak", "NI/Strong"];
  const writes: Promise<void>[] = [];
  for (const subset of subsets) {
    for (let p = 1; p <= spec.subjects; p++) {
      OULU_EXPRESSIONS.forEach((expression, e) => {
        const dir = join(root, spec.release, subset, `P${pad(p, 3)}`, expression);
        const count = spec.frames(p, e, subset);
        for (let f = 0; f < count; f++) writes.push(put(join(dir, `${pad(f, 3)}.jpeg`), image));
      });
    }
  }
  await Promise.all(writes);
  await put(join(root, spec.release, subsets[0], "P001", "Anger", "._000.jpeg"), Buffer.from([0, 5, 22, 7]));
  await put(join(root, spec.release, subsets[0], "P001", "Thumbs.db"), "junk");
  await put(join(root, spec.release, subsets[0], ".DS_Store"), "junk");
}

/** A manifest without files, for split tests: `subjects[s]` lists the labels of subject s's entries. */
export function syntheticManifest(subjects: readonly (readonly number[])[], classes: number): Manifest {
  const entries: ManifestEntry[] = [];
  subjects.forEach((labels, s) => {
    labels.forEach((label, j) => {
      const subject = `S${pad(s, 3)}`;
      const path = `${subject}_${pad(j, 3)}.png`;
      entries.push({ path, file: `/nowhere/${path}`, label, labelName: `c${label}`, subject, sequence: null, frame: null, source: "synthetic" });
    });
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { source: "synthetic", root: "/nowhere", labelNames: Array.from({ length: classes }, (_, i) => `c${i}`), entries, skipped: [] };
}
