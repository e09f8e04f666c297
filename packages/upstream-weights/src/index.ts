/**
 * The paper authors' own final MicroExpNet checkpoints, converted to @microexp/infer's weights
 * format (float32, bit for bit the authors' numbers). They are research baselines, not what an
 * app wants: @microexp/infer ships the models trained on in-the-wild faces.
 */

export interface UpstreamModel {
  /** File name in the package's weights/ folder (its model card is the .md beside it). */
  file: string;
  summary: string;
}

export const UPSTREAM_MODELS = {
  "microexpnet-ckplus-upstream": {
    file: "microexpnet-ckplus-upstream.mxw",
    summary: "The paper authors' final MicroExpNet trained on CK+ (8 classes with neutral), converted from their TF checkpoint (MIT).",
  },
  "microexpnet-oulu-upstream": {
    file: "microexpnet-oulu-upstream.mxw",
    summary: "The paper authors' final MicroExpNet trained on Oulu-CASIA, converted from their TF checkpoint (MIT).",
  },
} as const satisfies Record<string, UpstreamModel>;

/** "microexpnet-ckplus-upstream" | "microexpnet-oulu-upstream". */
export type UpstreamModelName = keyof typeof UPSTREAM_MODELS;

/** A model's entry; throws on a name that is not one (callers from plain JavaScript). */
export function upstreamModel(name: UpstreamModelName): UpstreamModel {
  const entry = (UPSTREAM_MODELS as Record<string, UpstreamModel>)[name];
  if (!entry) throw new Error(`Unknown upstream model "${name}". This package has: ${Object.keys(UPSTREAM_MODELS).join(", ")}`);
  return entry;
}

/**
 * URL of a weights file, for @microexp/infer's `loadClassifier(url)`. Bundlers (Vite,
 * webpack 5) see this `new URL(…, import.meta.url)` pattern and copy the file into the app;
 * in Node it is a file: URL.
 */
export function upstreamModelUrl(name: UpstreamModelName): URL {
  // The literal ".mxw" suffix keeps bundlers from copying the model cards (weights/*.md) too.
  const stem = upstreamModel(name).file.replace(/\.mxw$/, "");
  return new URL(`../weights/${stem}.mxw`, import.meta.url);
}
