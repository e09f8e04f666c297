// Every model answers in its own label names and order; the bench compares them in FER2013's.

/** FER2013's seven classes, in its own order: the names the bench reports in. */
export const FER_LABELS = Object.freeze(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);

/** Other spellings of FER2013's classes used by the models compared here. */
const SYNONYMS = Object.freeze({
  anger: "angry", // CK+ order (microexpnet-ckplus-upstream)
  disgusted: "disgust", // face-api
  fearful: "fear", // face-api
  sadness: "sad", // CK+
  surprised: "surprise", // face-api
});

/** FER2013's name for a model's label, or null for a class FER2013 does not have (CK+'s contempt). */
export function ferLabel(label) {
  const name = String(label).toLowerCase();
  if (FER_LABELS.includes(name)) return name;
  return SYNONYMS[name] ?? null;
}

/**
 * For each output of a model (its label order), the index of the FER2013 class it means, or -1.
 * Throws when two outputs claim one class or a class has no output: a mapping that silently
 * lost a class would make every figure for it wrong.
 */
export function ferIndexOfOutputs(modelLabels, modelName) {
  const indices = modelLabels.map((label) => {
    const fer = ferLabel(label);
    return fer === null ? -1 : FER_LABELS.indexOf(fer);
  });
  for (let c = 0; c < FER_LABELS.length; c++) {
    const count = indices.filter((i) => i === c).length;
    if (count !== 1) {
      throw new Error(`${modelName}: ${count === 0 ? "no output" : `${count} outputs`} for FER2013's "${FER_LABELS[c]}" in its labels [${modelLabels.join(", ")}]`);
    }
  }
  return indices;
}

/** The FER2013 class a model's scores pick: the highest-scoring output that has one. */
export function ferPrediction(scores, ferIndices) {
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < ferIndices.length; i++) {
    if (ferIndices[i] < 0) continue;
    if (!Number.isFinite(scores[i])) throw new Error(`non-finite score ${scores[i]} at output ${i}`);
    if (scores[i] > bestScore) {
      bestScore = scores[i];
      best = ferIndices[i];
    }
  }
  return best;
}
