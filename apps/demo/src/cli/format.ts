// What `microexp predict` prints: a table for people, or JSON for programs.
import type { FileOutcome, FileResult } from "./predict.js";
import { failed } from "./predict.js";

const HEADER = ["file", "face", "box (x,y,w,h)", "label", "probability"];

/** One row per face (a file without faces gets one row saying so); failures are left to stderr. */
export function tableRows(outcomes: readonly FileOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if (failed(outcome)) continue;
    if (outcome.faces.length === 0) rows.push([outcome.file, "-", "-", "no face found", "-"]);
    outcome.faces.forEach((face, i) => {
      const { x, y, width, height } = face.box;
      rows.push([outcome.file, String(i + 1), `${x},${y},${width},${height}`, face.label, face.probability.toFixed(3)]);
    });
  }
  return rows;
}

/** A plain-text table with aligned columns. */
export function formatTable(outcomes: readonly FileOutcome[]): string {
  const rows = [HEADER, ...tableRows(outcomes)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n") + "\n";
}

/** JSON for one file: scores as a { label: probability } object; a file without faces says so. */
export function jsonOutcome(outcome: FileOutcome): unknown {
  if (failed(outcome)) return outcome;
  const result: FileResult = outcome;
  return {
    ...result,
    ...(result.faces.length === 0 ? { note: "no face found" } : {}),
    faces: result.faces.map((face) => ({
      box: face.box,
      label: face.label,
      probability: face.probability,
      scores: Object.fromEntries(face.scores.map((s) => [s.label, s.probability])),
    })),
  };
}
