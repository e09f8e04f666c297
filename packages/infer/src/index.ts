export * from "./architecture.js";
export * from "./graph/index.js";
export * from "./engine.js";
export {
  WEIGHTS_MAGIC, WEIGHTS_FORMAT_VERSION, READABLE_WEIGHTS_FORMAT_VERSIONS, WeightsFormatError, encodeWeights, decodeWeights, checkModelWeights,
  type TensorDtype, type TensorEntry, type Normalization, type ModelInfo, type WeightsHeader, type ModelWeights, type EncodeOptions,
} from "./weights-format.js";
export * from "./classifier.js";
export * from "./model-zoo.js";
export * from "./expressions.js";
export * from "./image/index.js";
export { createJsEngine } from "./forward-js.js";
export { createWasmEngine, wasmSimdSupported } from "./wasm/engine-wasm.js";
export { createWasmCropper } from "./wasm/crop-wasm.js";
