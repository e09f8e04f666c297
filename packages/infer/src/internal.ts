// @microexp/infer/internal: what the project's other packages (face, distill) share with the
// runtime but apps do not need. Not covered by semver: it changes with them.
export { EmbeddedWasmModule } from "./wasm/embedded-module.js";
