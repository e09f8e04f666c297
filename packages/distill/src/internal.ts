// @microexp/distill/internal: what the project's own apps, benches and tests use beyond the
// public entry. Not covered by semver: it changes with them.
export { registerWasmTrainingKernels, wasmTrainingKernelsRegistered, WASM_TRAINING_KERNELS } from "./backend/index.js";
export { SeededRandom } from "./random.js";
export { gatherInputs, subsetCropSet } from "./crop-set.js";
export { isCheckpointFile } from "./checkpoint.js";
export { configKey } from "./train.js";
export { mirrorCrops } from "./evaluate.js";
export { teacherCacheFile, teacherCacheKey } from "./fold.js";
export { exportableNetwork } from "./evaluate.js";
