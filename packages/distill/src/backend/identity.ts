// Identity, and Cast to the type a tensor already has, for wasm: they share the input's data
// (as the cpu and webgl backends and wasm's own Reshape do) instead of copying it. A
// MicroExpNet step makes three Identity copies of conv1's 7.2 MB activation and one Cast copy
// (ReLU's gradient casts step(x), already float32, to float32). Safe because no kernel writes
// into its inputs; a variable's assign replaces its data rather than writing over it.
// Switched off with the SIMD kernels (setSimdTrainingKernels), so benchmarks compare against
// the stock copies.
import { Cast, Identity, type CastAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { trainingKernels } from "./training-module.js";
import type { BackendWasm, WasmKernelArgs } from "./wasm-ops.js";

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identityConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<object>): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string" || trainingKernels(args.backend) === undefined) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    return share(args.backend, x);
  };
  return { ...stock, kernelName: Identity, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function castConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<CastAttrs>): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const same = x.dtype === args.attrs.dtype && x.dtype !== "string";
    if (!same || trainingKernels(args.backend) === undefined) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    return share(args.backend, x);
  };
  return { ...stock, kernelName: Cast, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
