// Test helper: the fixture photos, and the shipped cascade and weights, loaded once.
import { loadCascade, type Cascade } from "@microexp/face";
import type { ExpressionClassifier } from "@microexp/infer";
import { loadModel } from "@microexp/infer/node";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const ASTRONAUT = `${FIXTURES}astronaut.png`;
export const LONDON = ["happy-001_08.jpg", "happy-004_08.jpg", "neutral-001_03.jpg"].map((f) => `${FIXTURES}london/${f}`);
export const PHOTOS = [ASTRONAUT, ...LONDON];

let models: Promise<{ cascade: Cascade; classifier: ExpressionClassifier }> | undefined;

export function loadModels(): Promise<{ cascade: Cascade; classifier: ExpressionClassifier }> {
  models ??= Promise.all([loadCascade(), loadModel()]).then(([cascade, classifier]) => ({ cascade, classifier }));
  return models;
}
