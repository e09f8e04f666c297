// Identity for wasm that shares the input's data (as the cpu and webgl backends and wasm's
// own Reshape do) instead of copying it: a MicroExpNet step makes three such copies of
// conv1's 7.2 MB activation. Safe because no kernel writes into its inputs; a variable's
// assign replaces its data rather than writing over it. Switched off with the SIMD kernels
// (setSimdTrainingKernels), so benchmarks compare against the stock copy.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { trainingKernels } from "./training-module.js";
import type { WasmKernelArgs } from "./wasm-ops.js";

export function identityConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<object>): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string" || trainingKernels(args.backend) === undefined) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { ...stock, kernelName: Identity, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
