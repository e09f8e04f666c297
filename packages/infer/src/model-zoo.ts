/** The weights that ship inside this package, by name. Each file carries its own model card. */

export interface ZooEntry {
  /** File name in the package's weights/ folder. */
  file: string;
  summary: string;
}

export const MODEL_ZOO = {
  "dsnet-wide-fer2013": {
    file: "dsnet-wide-fer2013.mxw",
    summary: "A wider depthwise-separable network (dsnet-wide) trained here on FER2013's in-the-wild faces (7 classes, float16): the default, the most accurate, for webcams and photos.",
  },
  "dsnet-fer2013": {
    file: "dsnet-fer2013.mxw",
    summary: "A depthwise-separable network (dsnet) trained here on FER2013's in-the-wild faces (7 classes, float16): the default until dsnet-wide-fer2013, a third faster.",
  },
  "microexpnet-fer2013": {
    file: "microexpnet-fer2013.mxw",
    summary: "The paper's final MicroExpNet trained here on FER2013's in-the-wild faces (7 classes, float16): the fastest, 0.12 ms a face with the single crop.",
  },
} as const satisfies Record<string, ZooEntry>;

/**
 * The names of the shipped models: "dsnet-wide-fer2013" | "dsnet-fer2013" | "microexpnet-fer2013". (The paper
 * authors' CK+ and Oulu-CASIA networks are in @microexp/upstream-weights.)
 */
export type ModelName = keyof typeof MODEL_ZOO;

/**
 * The model apps get: dsnet-wide trained on in-the-wild faces (FER2013's Training split only,
 * distilled from a network of its own kind trained on the same faces). On PublicTest, held out
 * (1.0.0): 63.11 % with its default policy, the single crop, in 0.83 ms a face (one core, from
 * a 640x480 frame); dsnet-fer2013 1.0.0 gets 62.16 % in 0.60 ms, MicroExpNet
 * (microexpnet-fer2013 2.2.0) 60.07 % with its default 8 crops in 0.81 ms, 57.12 % with the
 * single crop in 0.14 ms.
 */
export const DEFAULT_MODEL: ModelName = "dsnet-wide-fer2013";

/** A shipped model's entry; throws on a name that is not one (callers from plain JavaScript). */
export function zooEntry(name: ModelName): ZooEntry {
  const entry = (MODEL_ZOO as Record<string, ZooEntry>)[name];
  if (!entry) throw new Error(`Unknown model "${name}". Shipped models: ${Object.keys(MODEL_ZOO).join(", ")}`);
  return entry;
}

/**
 * URL of a shipped weights file. Bundlers (Vite, webpack 5) see this `new URL(…, import.meta.url)`
 * pattern and copy the file into the app; in Node it is a file: URL.
 */
export function modelUrl(name: ModelName = DEFAULT_MODEL): URL {
  // The literal ".mxw" suffix keeps bundlers from copying the model cards (weights/*.md) too.
  const stem = zooEntry(name).file.replace(/\.mxw$/, "");
  return new URL(`../weights/${stem}.mxw`, import.meta.url);
}
