// Picks the training backend at run time: tfjs-node when it is installed (an optional
// peer dependency: its install downloads libtensorflow), else wasm with this package's
// training kernels, else the pure-JS cpu backend.
import { getBackend, getGradient, ready, setBackend, version_core } from "@tensorflow/tfjs-core";
import { version_cpu } from "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, version_wasm } from "@tensorflow/tfjs-backend-wasm";
// tfjs-core's Node bundle registers no gradient functions; tfjs-layers' bundle registers
// all of them when it loads, and training needs them on every backend.
import "@tensorflow/tfjs-layers";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, wasmTrainingKernelsRegistered } from "./register-wasm-kernels.js";

export type BackendPreference = "auto" | "node" | "wasm" | "cpu";

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ["auto", "node", "wasm", "cpu"];

/** What every training report prints about the engine it ran on. */
export interface BackendInfo {
  /** The tfjs backend in use: "tensorflow" is tfjs-node. */
  name: "tensorflow" | "wasm" | "cpu";
  /** Version of @tensorflow/tfjs-core. */
  tfjsVersion: string;
  /** Version of the backend package (tfjs-node, tfjs-backend-wasm or tfjs-backend-cpu). */
  backendVersion: string;
  /** True when this package's wasm training kernels are registered and the backend is wasm. */
  customKernels: boolean;
  /** The kernels this package provides for wasm (empty on other backends). */
  customKernelNames: readonly string[];
  /** Compute threads: wasm is single-threaded in Node, cpu always 1, tfjs-node uses every core. */
  threads: number;
  /** Backends "auto" tried and passed over, with the reason. */
  skipped: ReadonlyArray<{ backend: "node" | "wasm"; reason: string }>;
}

// A variable specifier keeps TypeScript and the bundler from resolving the optional peer.
const TFJS_NODE: string = "@tensorflow/tfjs-node";

type Loaded = { ok: true; version: string } | { ok: false; reason: string };

async function loadTfjsNode(): Promise<Loaded> {
  try {
    const mod = (await import(TFJS_NODE)) as { version?: Record<string, string> };
    if (!(await setBackend("tensorflow"))) return { ok: false, reason: "tf.setBackend(\"tensorflow\") returned false" };
    return { ok: true, version: mod.version?.["tfjs-node"] ?? "unknown" };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}

async function activate(name: BackendInfo["name"], backendVersion: string, skipped: BackendInfo["skipped"]): Promise<BackendInfo> {
  await ready();
  if ((getGradient("Conv2D") as ReturnType<typeof getGradient> | undefined) === undefined) {
    throw new Error("@microexp/distill: tfjs gradients are not registered (is @tensorflow/tfjs-layers installed?)");
  }
  const onWasm = name === "wasm";
  let threads = 1;
  if (onWasm) threads = getThreadsCount();
  else if (name === "tensorflow") threads = (await import("node:os")).availableParallelism();
  return {
    name,
    tfjsVersion: version_core,
    backendVersion,
    customKernels: onWasm && wasmTrainingKernelsRegistered(),
    customKernelNames: onWasm ? WASM_TRAINING_KERNELS : [],
    threads,
    skipped,
  };
}

/**
 * Sets the tfjs backend for training and returns what was chosen. "auto" prefers
 * tfjs-node, then wasm, then cpu; an explicit choice that cannot load is an error.
 * Safe to call repeatedly.
 */
export async function selectBackend(preference: BackendPreference = "auto"): Promise<BackendInfo> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new Error(`@microexp/distill: unknown backend "${String(preference)}"; expected one of ${BACKEND_PREFERENCES.join(", ")}`);
  }
  const skipped: Array<{ backend: "node" | "wasm"; reason: string }> = [];

  if (preference === "auto" || preference === "node") {
    const node = await loadTfjsNode();
    if (node.ok) return activate("tensorflow", node.version, skipped);
    if (preference === "node") {
      throw new Error(`@microexp/distill: backend "node" needs @tensorflow/tfjs-node, which could not be loaded (${node.reason}); ` +
        `install it with "npm install @tensorflow/tfjs-node" or choose "wasm" or "cpu"`);
    }
    skipped.push({ backend: "node", reason: node.reason });
  }

  if (preference === "auto" || preference === "wasm") {
    registerWasmTrainingKernels();
    if (getBackend() === "wasm" || (await setBackend("wasm"))) return activate("wasm", version_wasm, skipped);
    const reason = "tf.setBackend(\"wasm\") failed (see the warning above): in Node the .wasm files are read from " +
      "@tensorflow/tfjs-backend-wasm/dist, next to its JavaScript";
    if (preference === "wasm") throw new Error(`@microexp/distill: backend "wasm" could not start: ${reason}`);
    skipped.push({ backend: "wasm", reason });
  }

  if (!(await setBackend("cpu"))) throw new Error("@microexp/distill: backend \"cpu\" could not start");
  return activate("cpu", version_cpu, skipped);
}
