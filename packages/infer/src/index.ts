export * from "./architecture.js";
export * from "./engine.js";
export * from "./weights-format.js";
export { createJsEngine } from "./forward-js.js";
