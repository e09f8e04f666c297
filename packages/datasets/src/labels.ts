/** The paper's 8 CK+ classes: 0 neutral, then the CK+ emotion codes 1..7. */
export const CK_PLUS_LABELS = [
  "neutral",
  "anger",
  "contempt",
  "disgust",
  "fear",
  "happy",
  "sadness",
  "surprise",
] as const;

/** CK+ without neutral (7 classes): label = CK+ emotion code - 1. */
export const CK_PLUS_EMOTIONS = CK_PLUS_LABELS.slice(1);

/** Oulu-CASIA's 6 classes, in the order of its folder names. */
export const OULU_CASIA_LABELS = ["anger", "disgust", "fear", "happiness", "sadness", "surprise"] as const;

/** FER2013's 7 classes in the challenge's label order (0 angry ... 6 neutral). */
export const FER2013_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"] as const;

// Different releases spell the same class differently; all spellings map to one canonical name.
const ALIASES: Record<string, string> = {
  angry: "anger",
  happiness: "happy",
  sad: "sadness",
  surprised: "surprise",
  disgusted: "disgust",
  fearful: "fear",
  scared: "fear",
  contemptuous: "contempt",
};

/** Lower-cased class name with aliases folded: "Happiness" -> "happy", "sad" -> "sadness", "Angry" -> "anger". */
export function canonicalClassName(name: string): string {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

/** Index of the label that a folder or class name stands for (aliases allowed), or -1. */
export function findLabel(labelNames: readonly string[], name: string): number {
  const wanted = canonicalClassName(name);
  return labelNames.findIndex((label) => canonicalClassName(label) === wanted);
}
