// Training kernels for the wasm backend of TensorFlow.js. This module imports tfjs-wasm's
// own WebAssembly.Memory: every pointer it receives is a tensor or a scratch block that the
// host obtained from that backend (its malloc), so it never owns memory, declares no data
// segment (that would overwrite the backend's heap when instantiated) and allocates nothing.
export { convForward, convForwardInto, convFilter } from "./conv";
export { maxPoolGrad2x2 } from "./pool-grad";
export { sumRows, meanRows } from "./sum-rows";
export { addBias } from "./add-bias";
export { col2im } from "./col2im";
export { maxPool2x2 } from "./pool";
export { depthwiseFilter, depthwiseInput } from "./depthwise-grad";
export { batchNormForward, batchNormBackward } from "./batch-norm";
export { pointwiseFilter } from "./pointwise-grad";
