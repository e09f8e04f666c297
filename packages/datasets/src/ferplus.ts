/**
 * FER+ crowd votes for FER2013's files (Barsoum et al. 2016; Microsoft FERPlus labels, MIT),
 * as matched to the image-folder release in `fer2013/ferplus.csv` (see FERPLUS.md beside it):
 * ten taggers per face vote among 8 emotions, "unknown" and "not a face".
 */
import { readFile } from "node:fs/promises";
import { DatasetError } from "./errors.js";

/** FER+'s emotions in its column order (it adds contempt to FER2013's seven). */
export const FERPLUS_LABELS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"] as const;

const COLUMNS = ["path", "split", "fer_label", ...FERPLUS_LABELS, "unknown", "nf", "match", "distance"] as const;

/** How a file was tied to its FER+ row (FERPLUS.md): only "unique" and "duplicate-same" votes are certain. */
export type FerPlusMatch = "unique" | "duplicate-same" | "duplicate" | "none";

export interface FerPlusVotes {
  /** Votes per FERPLUS_LABELS emotion. */
  emotions: number[];
  unknown: number;
  notFace: number;
  match: FerPlusMatch;
}

const MATCHES: readonly FerPlusMatch[] = ["unique", "duplicate-same", "duplicate", "none"];

/** Reads ferplus.csv into votes by path (the manifest's path strings). Rows matched "none" carry no votes and are left out. */
export async function readFerPlusVotes(csvPath: string): Promise<Map<string, FerPlusVotes>> {
  let text: string;
  try {
    text = await readFile(csvPath, "utf8");
  } catch (error) {
    throw new DatasetError(csvPath, `cannot read the FER+ votes (${(error as Error).message})`);
  }
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0]?.split(",") ?? [];
  if (header.join(",") !== COLUMNS.join(",")) throw new DatasetError(csvPath, `expected the columns ${COLUMNS.join(",")}, found ${header.join(",")}`);
  const votes = new Map<string, FerPlusVotes>();
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",");
    const fail = (problem: string): never => {
      throw new DatasetError(csvPath, `line ${i + 1}: ${problem}`);
    };
    if (cells.length !== COLUMNS.length) fail(`${cells.length} columns, expected ${COLUMNS.length}`);
    const match = cells[13] as FerPlusMatch;
    if (!MATCHES.includes(match)) fail(`unknown match "${cells[13]}"`);
    if (match === "none") continue;
    const counts = cells.slice(3, 13).map((cell) => {
      const n = Number(cell);
      if (cell === "" || !Number.isInteger(n) || n < 0 || n > 10) fail(`vote count "${cell}" is not an integer 0..10`);
      return n;
    });
    if (votes.has(cells[0])) fail(`${cells[0]} is listed twice`);
    votes.set(cells[0], { emotions: counts.slice(0, 8), unknown: counts[8], notFace: counts[9], match });
  }
  return votes;
}

// FER+'s emotions under their FER2013 / CK+ spellings.
const SPELLINGS: Record<string, string> = { happy: "happiness", sad: "sadness", angry: "anger" };

/**
 * The votes as a distribution over `labels` (FER2013's seven, FER+'s eight, or any label set
 * using these emotions' names): votes for emotions outside `labels`, "unknown" and "not a
 * face" are dropped. Undefined when no vote falls on `labels`.
 */
export function ferPlusDistribution(votes: FerPlusVotes, labels: readonly string[]): Float32Array | undefined {
  const out = new Float32Array(labels.length);
  let total = 0;
  labels.forEach((label, k) => {
    const index = FERPLUS_LABELS.indexOf((SPELLINGS[label] ?? label) as (typeof FERPLUS_LABELS)[number]);
    if (index < 0) throw new Error(`label "${label}" is not one of FER+'s emotions (${FERPLUS_LABELS.join(", ")})`);
    out[k] = votes.emotions[index];
    total += out[k];
  });
  if (total === 0) return undefined;
  for (let k = 0; k < out.length; k++) out[k] /= total;
  return out;
}

/** FER+'s majority label among `labels` (ties go to the first in label order), or -1 without votes there. */
export function ferPlusMajority(votes: FerPlusVotes, labels: readonly string[]): number {
  const distribution = ferPlusDistribution(votes, labels);
  if (!distribution) return -1;
  let best = 0;
  for (let k = 1; k < distribution.length; k++) if (distribution[k] > distribution[best]) best = k;
  return best;
}
