// Node-only entry: file paths, for @microexp/infer's `loadClassifierFromFile(path)`.
import { fileURLToPath } from "node:url";
import { upstreamModelUrl, type UpstreamModelName } from "./index.js";

/** The path of a weights file in this installed package. */
export function upstreamModelPath(name: UpstreamModelName): string {
  return fileURLToPath(upstreamModelUrl(name));
}
