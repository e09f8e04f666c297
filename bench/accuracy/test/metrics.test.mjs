import { describe, expect, it } from "vitest";
import { evenlySpaced, median, summarize } from "../src/metrics.mjs";

describe("summarize", () => {
  it("counts accuracy, recall per true class and every answer given", () => {
    const truth = ["happy", "happy", "happy", "neutral", "neutral"];
    const predicted = ["happy", "surprise", null, "neutral", "happy"];
    const s = summarize(truth, predicted, ["happy", "neutral"]);
    expect(s).toMatchObject({ total: 5, correct: 2, accuracy: 0.4 });
    expect(s.perClass.happy).toEqual({ total: 3, correct: 1, recall: 1 / 3, answers: { happy: 1, surprise: 1, "no face": 1 } });
    expect(s.perClass.neutral).toEqual({ total: 2, correct: 1, recall: 0.5, answers: { neutral: 1, happy: 1 } });
  });

  it("gives no recall for a class with no face, and refuses unknown or mismatched labels", () => {
    expect(summarize(["a"], ["a"], ["a", "b"]).perClass.b.recall).toBeNaN();
    expect(() => summarize(["c"], ["a"], ["a", "b"])).toThrow(/face 0 has label "c"/);
    expect(() => summarize(["a", "b"], ["a"], ["a", "b"])).toThrow(/2 labels but 1 predictions/);
  });
});

describe("median and evenlySpaced", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([10, 2, 4, 1])).toBe(3);
    expect(() => median([])).toThrow(/no values/);
  });

  it("spreads a quick run over the whole list", () => {
    const list = Array.from({ length: 10 }, (_, i) => i);
    expect(evenlySpaced(list, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(evenlySpaced(list, 3)).toEqual([0, 3, 6]);
    expect(evenlySpaced(list, 20)).toBe(list);
    expect(() => evenlySpaced(list, 0)).toThrow(/--limit/);
    expect(() => evenlySpaced(list, 2.5)).toThrow(/--limit/);
  });
});
