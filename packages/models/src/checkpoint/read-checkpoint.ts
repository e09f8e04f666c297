/** Node-side reading of a TF checkpoint from disk (the parsers themselves take bytes). */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { NetworkWeights } from "@microexp/infer";
import type { BundleImportOptions } from "./upstream.js";
import { networkFromBundle } from "./upstream.js";

/**
 * Resolves a checkpoint given as its prefix (".../MicroExpNet_CK"), its .index file, or the
 * folder holding a TF "checkpoint" file, to the prefix.
 */
export function resolveCheckpointPrefix(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const pointer = join(path, "checkpoint");
    if (!existsSync(pointer)) throw new Error(`${path}: a folder without a "checkpoint" file; give the checkpoint prefix instead`);
    const match = /model_checkpoint_path:\s*"([^"]+)"/.exec(readFileSync(pointer, "utf8"));
    if (!match) throw new Error(`${pointer}: no model_checkpoint_path line`);
    return join(path, match[1]);
  }
  if (path.endsWith(".index")) return path.slice(0, -".index".length);
  return path;
}

/** Reads a single-shard TF checkpoint of a MicroExpNet family member from disk. */
export function readMicroExpNetCheckpoint(path: string, options: Omit<BundleImportOptions, "source"> = {}): NetworkWeights {
  const prefix = resolveCheckpointPrefix(path);
  const indexPath = `${prefix}.index`;
  const dataPath = `${prefix}.data-00000-of-00001`;
  for (const file of [indexPath, dataPath]) {
    if (!existsSync(file)) throw new Error(`${file}: missing (looked for the checkpoint ${prefix} in ${dirname(prefix)})`);
  }
  return networkFromBundle(readFileSync(indexPath), readFileSync(dataPath), { ...options, source: prefix });
}
