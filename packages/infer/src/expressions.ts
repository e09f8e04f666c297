/**
 * One vocabulary for the expressions of every shipped model. The weights keep the label names
 * their training data used (FER2013: "angry", "sad"; CK+ and Oulu-CASIA: "anger",
 * "sadness"); canonicalExpression maps any of them to one name, FER2013's spelling.
 */
export const EXPRESSIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "contempt"] as const;

export type Expression = (typeof EXPRESSIONS)[number];

/** Every label name a shipped model uses (and common spellings) and the expression it means. */
export const EXPRESSION_ALIASES: Readonly<Record<string, Expression>> = Object.freeze({
  ...Object.fromEntries(EXPRESSIONS.map((e) => [e, e])),
  anger: "angry",
  disgusted: "disgust",
  fearful: "fear",
  afraid: "fear",
  happiness: "happy",
  sadness: "sad",
  surprised: "surprise",
});

/** The expression a label names (case-insensitive), or undefined for a label outside the vocabulary. */
export function canonicalExpression(label: string): Expression | undefined {
  const key = label.toLowerCase();
  return Object.prototype.hasOwnProperty.call(EXPRESSION_ALIASES, key) ? EXPRESSION_ALIASES[key] : undefined;
}
