// @microexp/infer/internal: what the project's other packages (face, distill) share with the
// runtime but apps do not need. Not covered by semver: it changes with them.
export { EmbeddedWasmModule } from "./wasm/embedded-module.js";
export { recogniseAcrossCopies } from "./recognisable-error.js";
export { fromFloat16Bits, labelProblem, toFloat16Bits } from "./weights-format.js";
export { familySpecOf } from "./graph/family.js";
export { sameOutputSize } from "./graph/analyze.js";
export { mirrorInput } from "./image/crop-policy.js";
