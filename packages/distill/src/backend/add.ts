// Add for wasm when it adds a channel vector to every row of a float32 tensor ([..., C] +
// [C], a layer's bias add: conv1's output in MicroExpNet's step): one SIMD pass
// (assembly/add-bias.ts). Other additions go to the stock kernel.
import { Add, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { pointer, trainingKernels } from "./training-module.js";
import type { WasmKernelArgs } from "./wasm-ops.js";

function isBiasAdd(a: TensorInfo, b: TensorInfo): boolean {
  const cols = a.shape[a.shape.length - 1];
  return a.dtype === "float32" && b.dtype === "float32" && a.shape.length >= 2 &&
    b.shape.length === 1 && b.shape[0] === cols && cols % 4 === 0;
}

export function addConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<object>): TensorInfo => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const kernels = trainingKernels(args.backend);
    const swapped = kernels !== undefined && !isBiasAdd(a, b) && isBiasAdd(b, a);
    const [x, bias] = swapped ? [b, a] : [a, b];
    if (kernels === undefined || !isBiasAdd(x, bias)) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    const cols = x.shape[x.shape.length - 1];
    const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    const out = args.backend.makeOutput([...x.shape], "float32");
    kernels.addBias(pointer(args.backend, x), rows, cols, pointer(args.backend, bias), pointer(args.backend, out));
    return out;
  };
  return { ...stock, kernelName: Add, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
