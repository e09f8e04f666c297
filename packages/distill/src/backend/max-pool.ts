// MaxPool for wasm with 2x2 windows, stride 2, no padding before and channels a multiple of 4
// (MicroExpNet's pools): one SIMD pass (assembly/pool.ts). Other pools go to the stock kernel.
import { backend_util, MaxPool, type KernelConfig, type KernelFunc, type MaxPoolAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { pointer, trainingKernels } from "./training-module.js";
import type { WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

export function maxPoolConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<MaxPoolAttrs>): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const kernels = trainingKernels(args.backend);
    const fallback = (): TensorInfo => stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    if (kernels === undefined || x.dtype !== "float32" || x.shape.length !== 4) return fallback();
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
    const info = backend_util.computePool2DInfo(x.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
    const simd = info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
      info.padInfo.top === 0 && info.padInfo.left === 0 && inChannels % 4 === 0;
    if (!simd) return fallback();
    const out = args.backend.makeOutput([batchSize, outHeight, outWidth, inChannels], "float32");
    kernels.maxPool2x2(pointer(args.backend, x), pointer(args.backend, out), batchSize, inHeight, inWidth, outHeight, outWidth, inChannels);
    return out;
  };
  return { ...stock, kernelName: MaxPool, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
