import { describe, expect, it } from "vitest";
import type { LabelledFace } from "../src/analyze.js";
import { ScoreSmoother } from "../src/smooth-scores.js";

function face(probabilities: number[]): LabelledFace {
  const labels = ["neutral", "happy", "surprise"];
  const best = probabilities.indexOf(Math.max(...probabilities));
  return {
    box: { x: 0, y: 0, width: 10, height: 10 },
    label: labels[best],
    probability: probabilities[best],
    scores: probabilities.map((probability, i) => ({ label: labels[i], probability })),
  };
}

describe("ScoreSmoother", () => {
  it("averages each face's scores over frames, exponentially, and relabels from the average", () => {
    const smoother = new ScoreSmoother(0.5);
    expect(smoother.smooth([face([0.6, 0.3, 0.1])], [7])[0].label).toBe("neutral");
    const [second] = smoother.smooth([face([0.2, 0.7, 0.1])], [7]);
    expect(second.scores.map((s) => s.probability)).toEqual([0.4, 0.5, 0.1].map((p) => expect.closeTo(p, 12)));
    expect(second.label).toBe("happy");
    expect(second.probability).toBeCloseTo(0.5, 12);
  });

  it("keeps faces apart by id, and starts afresh for a face it has not seen last frame", () => {
    const smoother = new ScoreSmoother(0.5);
    smoother.smooth([face([1, 0, 0]), face([0, 0, 1])], [1, 2]);
    const [one, two] = smoother.smooth([face([0, 1, 0]), face([0, 1, 0])], [1, 2]);
    expect(one.scores.map((s) => s.probability)).toEqual([0.5, 0.5, 0]);
    expect(two.scores.map((s) => s.probability)).toEqual([0, 0.5, 0.5]);
    smoother.smooth([], []);
    expect(smoother.smooth([face([0, 1, 0])], [1])[0].scores.map((s) => s.probability)).toEqual([0, 1, 0]);
  });

  it("with weight 1 passes the scores through", () => {
    const f = face([0.2, 0.3, 0.5]);
    expect(new ScoreSmoother(1).smooth([f], [1])).toEqual([f]);
  });

  it("rejects a weight outside (0, 1] and mismatched ids", () => {
    expect(() => new ScoreSmoother(0)).toThrow(/weight/);
    expect(() => new ScoreSmoother(1.5)).toThrow(/weight/);
    expect(() => new ScoreSmoother().smooth([face([1, 0, 0])], [])).toThrow(/1 faces but 0 ids/);
  });
});
