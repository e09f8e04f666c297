// Installs the project's training kernels into the wasm backend. Idempotent, also when
// both the ESM and the CJS build of this package are loaded (the kernel registry is
// global, so our configs carry a Symbol.for mark rather than module state).
import {
  Add,
  BatchMatMul,
  Cast,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  FusedConv2D,
  getKernel,
  Identity,
  MaxPool,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  unregisterKernel,
  type KernelConfig,
} from "@tensorflow/tfjs-core";
// Loads the wasm backend first: its stock kernels must exist before we wrap or replace them.
import "@tensorflow/tfjs-backend-wasm";
import { addConfig } from "./add.js";
import { batchMatMulConfig } from "./batch-mat-mul.js";
import { batchNormGradConfig, batchNormTrainingConfig } from "./batch-norm.js";
import { conv2DConfig, fusedConv2DConfig } from "./conv2d.js";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input.js";
import { depthwiseConv2dNativeBackpropFilterConfig } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dNativeBackpropInputConfig } from "./depthwise-conv2d-backprop-input.js";
import { castConfig, identityConfig } from "./identity.js";
import { maxPoolConfig } from "./max-pool.js";
import { maxPoolGradConfig } from "./max-pool-grad.js";
import { meanConfig } from "./mean.js";
import { sumConfig } from "./sum.js";

const OURS = Symbol.for("@microexp/distill:wasm-training-kernel");

/** Builds our config from the one currently registered (undefined when wasm has none). */
type KernelFactory = (current: KernelConfig | undefined) => KernelConfig;

/** For kernels that handle some shapes and hand the rest to the stock kernel they wrap. */
function wrapping(kernelName: string, make: (stock: KernelConfig) => KernelConfig): KernelFactory {
  return (current) => {
    if (current === undefined) throw new Error(`@microexp/distill: the wasm backend has no ${kernelName} kernel to wrap`);
    return make(current);
  };
}

const KERNELS: ReadonlyArray<readonly [string, KernelFactory]> = [
  [Conv2DBackpropFilter, () => conv2DBackpropFilterConfig],
  [Conv2DBackpropInput, () => conv2DBackpropInputConfig],
  [DepthwiseConv2dNativeBackpropFilter, () => depthwiseConv2dNativeBackpropFilterConfig],
  [DepthwiseConv2dNativeBackpropInput, () => depthwiseConv2dNativeBackpropInputConfig],
  [MaxPoolGrad, () => maxPoolGradConfig],
  [BatchMatMul, wrapping(BatchMatMul, batchMatMulConfig)],
  [Conv2D, wrapping(Conv2D, conv2DConfig)],
  [FusedConv2D, wrapping(FusedConv2D, fusedConv2DConfig)],
  [Sum, wrapping(Sum, sumConfig)],
  [Mean, wrapping(Mean, meanConfig)],
  [Add, wrapping(Add, addConfig)],
  [Identity, wrapping(Identity, identityConfig)],
  [Cast, wrapping(Cast, castConfig)],
  [MaxPool, wrapping(MaxPool, maxPoolConfig)],
  // Not tfjs kernels: @microexp/models' BatchNorm layer uses them where they are registered.
  [batchNormTrainingConfig.kernelName, () => batchNormTrainingConfig],
  [batchNormGradConfig.kernelName, () => batchNormGradConfig],
];

/** Names of the kernels this package provides or replaces for the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map(([name]) => name);

function currentWasmKernel(kernelName: string): KernelConfig | undefined {
  return getKernel(kernelName, "wasm") as KernelConfig | undefined;
}

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as KernelConfig & { [OURS]?: boolean })[OURS] === true;
}

/** Registers every kernel of WASM_TRAINING_KERNELS for "wasm"; safe to call repeatedly. */
export function registerWasmTrainingKernels(): void {
  for (const [kernelName, make] of KERNELS) {
    const current = currentWasmKernel(kernelName);
    if (isOurs(current)) continue;
    const config = Object.assign({}, make(current), { [OURS]: true });
    if (current !== undefined) unregisterKernel(kernelName, "wasm");
    registerKernel(config);
  }
}

/** True when all of WASM_TRAINING_KERNELS currently resolve to this package's kernels. */
export function wasmTrainingKernelsRegistered(): boolean {
  return WASM_TRAINING_KERNELS.every((name) => isOurs(currentWasmKernel(name)));
}
