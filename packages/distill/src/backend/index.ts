export { selectBackend, BACKEND_PREFERENCES, type BackendInfo, type BackendPreference } from "./select.js";
export { registerWasmTrainingKernels, wasmTrainingKernelsRegistered, WASM_TRAINING_KERNELS } from "./register-wasm-kernels.js";
export { setSimdTrainingKernels } from "./training-module.js";
