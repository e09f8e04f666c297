// The paper's numbers in src/paper-results.ts are those of PAPER.md (read by path; skipped
// loudly when it is absent), and the sweep lays its cells out as the paper's tables.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PAPER_FAMILY, PAPER_KD, PAPER_TEMPERATURES } from "../src/paper-results.js";
import type { SweepOptions } from "../src/sweep.js";
import { sweepCells } from "../src/sweep.js";
import { TRAINING_DEFAULTS } from "../src/run-config.js";
import { PAPER_FILE as PAPER } from "../../../test-support/research-paths.js";

const present = existsSync(PAPER);
if (!present) console.warn(`[train] SKIPPING the check against ${PAPER}: file not found (set MICROEXP_PAPER)`);

/** The rows of the Markdown table that follows `heading` in PAPER.md. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start).split("\n").slice(1);
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows.slice(2); // header and separator
}

describe.skipIf(!present)("the paper's numbers", () => {
  const text = present ? readFileSync(PAPER, "utf8") : "";

  for (const [protocol, heading] of [["random", "Architecture search, random split"], ["subject", "Architecture search, subject-independent split"]] as const) {
    it(`match PAPER.md: ${heading}`, () => {
      const rows = tableAfter(text, heading);
      expect(rows.map((r) => r[0])).toEqual(["v", "p1", "p2", "p12"]);
      for (const [variant, ...cells] of rows) {
        cells.forEach((cell, i) => {
          const [ck, oulu] = cell.split("/").map((v) => Number(v.trim()));
          const size = (["M", "S", "XS", "XXS"] as const)[i];
          const row = variant as keyof typeof PAPER_FAMILY.random.ckplus;
          expect(PAPER_FAMILY[protocol].ckplus[row][size], `${protocol} ${variant} ${size}`).toBe(ck);
          expect(PAPER_FAMILY[protocol].oulu[row][size], `${protocol} ${variant} ${size}`).toBe(oulu);
        });
      }
    });
  }

  it("match PAPER.md: without vs with distillation", () => {
    const rows = tableAfter(text, "Without vs with distillation");
    expect(rows).toHaveLength(4);
    for (const [dataset, model, ...cells] of rows) {
      const table = PAPER_KD[dataset === "CK+" ? "ckplus" : "oulu"][model === "vanilla" ? "vanilla" : "distilled"];
      expect(Object.values(table)).toEqual(cells.map(Number));
    }
  });

  it("match PAPER.md: the temperature grid", () => {
    expect(text).toContain(`T in {${PAPER_TEMPERATURES.join(", ")}}`);
  });
});

describe("sweep tables", () => {
  const base: SweepOptions = {
    ...TRAINING_DEFAULTS, dataset: "folder", data: "faces", labels: "ck8", table: "family", protocol: "subject", folds: 10, backend: "wasm",
  };

  it("family: 16 vanilla cells with the paper's numbers for the protocol", () => {
    const cells = sweepCells(base);
    expect(cells).toHaveLength(16);
    expect(cells.find((c) => c.id === "p12-XXS")).toMatchObject({ row: "p12", column: "XXS", paper: 78.44, training: { model: "p12-XXS" } });
    expect(cells.every((c) => c.training.teacher === undefined)).toBe(true);
    expect(sweepCells({ ...base, protocol: "random", labels: "oulu" }).find((c) => c.id === "v-M")?.paper).toBe(97.68);
    expect(sweepCells({ ...base, labels: "folders" }).every((c) => c.paper === null)).toBe(true);
  });

  it("kd: vanilla and distilled p12 students of every size; temperature: the paper's grid", () => {
    const kd = sweepCells({ ...base, table: "kd", teacher: "vgg-small" });
    expect(kd.map((c) => [c.id, c.training.teacher ?? null, c.paper])).toEqual([
      ["vanilla-p12-M", null, 78.79], ["kd-p12-M", "vgg-small", 83.02], ["vanilla-p12-S", null, 78.55], ["kd-p12-S", "vgg-small", 84.53],
      ["vanilla-p12-XS", null, 77.22], ["kd-p12-XS", "vgg-small", 84.18], ["vanilla-p12-XXS", null, 75.25], ["kd-p12-XXS", "vgg-small", 84.75],
    ]);
    const temperature = sweepCells({ ...base, table: "temperature", teacher: "vgg-small" });
    expect(temperature.map((c) => c.training.temperature)).toEqual([2, 4, 8, 16, 20, 32, 64]);
    expect(() => sweepCells({ ...base, table: "kd" })).toThrow(/--table kd needs --teacher/);
  });

  it("with --teacher-from, the distilled cells learn from that run and the vanilla cells from nothing", () => {
    const kd = sweepCells({ ...base, table: "kd", teacherFrom: "runs/teacher" });
    expect(kd.map((c) => [c.id, c.training.teacherFrom ?? null])).toEqual([
      ["vanilla-p12-M", null], ["kd-p12-M", "runs/teacher"], ["vanilla-p12-S", null], ["kd-p12-S", "runs/teacher"],
      ["vanilla-p12-XS", null], ["kd-p12-XS", "runs/teacher"], ["vanilla-p12-XXS", null], ["kd-p12-XXS", "runs/teacher"],
    ]);
    expect(sweepCells({ ...base, table: "temperature", teacherFrom: "runs/teacher" }).every((c) => c.training.teacherFrom === "runs/teacher")).toBe(true);
    expect(sweepCells({ ...base, teacherFrom: "runs/teacher" }).every((c) => c.training.teacherFrom === undefined)).toBe(true);
  });
});
