export * from "./architecture.js";
export * from "./engine.js";
export * from "./weights-format.js";
export * from "./classifier.js";
export * from "./model-zoo.js";
export * from "./image/index.js";
export { createJsEngine } from "./forward-js.js";
export { createWasmEngine, wasmSimdSupported } from "./wasm/engine-wasm.js";
export { createWasmCropper } from "./wasm/crop-wasm.js";
