// Accuracy, per-class recall and timing medians, computed the same way for every model.

/**
 * `truth` and `predicted` are class names, one per face; `predicted` may hold a name outside
 * `classes` (an answer the set has no folder for, e.g. "surprise" on a smiling photo) or null
 * (no face found): both count wrong. Recall is per true class; `answers` counts, for each true
 * class, every answer given, so the wrong ones can be read off.
 */
export function summarize(truth, predicted, classes) {
  if (truth.length !== predicted.length) throw new Error(`summarize: ${truth.length} labels but ${predicted.length} predictions`);
  const perClass = Object.fromEntries(classes.map((c) => [c, { total: 0, correct: 0, recall: NaN, answers: {} }]));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const row = perClass[truth[i]];
    if (!row) throw new Error(`summarize: face ${i} has label "${truth[i]}", not one of ${classes.join(", ")}`);
    const answer = predicted[i] ?? "no face";
    row.total++;
    row.answers[answer] = (row.answers[answer] ?? 0) + 1;
    if (answer === truth[i]) {
      row.correct++;
      correct++;
    }
  }
  for (const row of Object.values(perClass)) row.recall = row.total ? row.correct / row.total : NaN;
  return { total: truth.length, correct, accuracy: truth.length ? correct / truth.length : NaN, perClass };
}

/** Median of a non-empty list of numbers. */
export function median(values) {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `n` items spread evenly over the list (all of it when n >= its length): a quick run that still sees every class. */
export function evenlySpaced(list, n) {
  if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`--limit must be a whole number >= 1, got ${n}`);
  if (n >= list.length) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
}
