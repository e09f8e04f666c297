// Conv2D and FusedConv2D for wasm with few input channels (MicroExpNet's conv1 and conv2):
// our SIMD kernel (assembly/conv.ts) in place of XNNPACK, which runs single-channel input at
// about a quarter of the core's speed; FusedConv2D's bias and ReLU are applied as the outputs
// are stored. Other shapes, dilations, NCHW and other activations go to the stock kernel.
import {
  backend_util,
  Conv2D,
  FusedConv2D,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { pointer, trainingKernels, withScratch } from "./training-module.js";
import type { BackendWasm, WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

/**
 * Input channels our kernels take (measured, batch 64: conv1, C = 1, 2x XNNPACK's forward and
 * 3x its weight gradient; conv2, C = 16, forward equal, weight gradient 1.5x). Wider inputs
 * (teachers) keep XNNPACK, whose GEMM blocks for caches that these loops do not.
 */
const SIMD_CHANNELS = (c: number): boolean => c >= 1 && c <= 16;

/** True when convForward / convFilter handle this convolution: NHWC, F a multiple of 4, C in SIMD_CHANNELS. */
export function isSimdConv(x: TensorInfo, filterShape: readonly number[], dataFormat: string | undefined): boolean {
  return x.dtype === "float32" && x.shape.length === 4 && dataFormat !== "NCHW" &&
    SIMD_CHANNELS(x.shape[3]) && filterShape[2] === x.shape[3] && filterShape[3] % 4 === 0;
}

function undilated(dilations: number | [number, number] | undefined): boolean {
  return (Array.isArray(dilations) ? dilations : [dilations ?? 1]).every((d) => d === 1);
}

/** The convolution, plus `bias` ([F]) if given, then ReLU if `relu`. */
function simdConv(
  backend: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | undefined, relu: boolean, attrs: Conv2DAttrs,
): TensorInfo | undefined {
  const kernels = trainingKernels(backend);
  if (kernels === undefined || filter.dtype !== "float32" || !undilated(attrs.dilations) ||
    !isSimdConv(x, filter.shape, attrs.dataFormat)) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const out = backend.makeOutput([batchSize, outHeight, outWidth, outChannels], "float32");
  if (batchSize === 0 || outHeight <= 0 || outWidth <= 0) return out;
  // The padded image plus one row or stride, which the kernel may read past the last pixel (unused).
  const paddedWidth = (outWidth - 1) * strideWidth + filterWidth;
  const paddedFloats = (((outHeight - 1) * strideHeight + filterHeight) * paddedWidth + Math.max(paddedWidth, strideWidth)) * inChannels;
  withScratch(backend, paddedFloats * 4, (scratch) => {
    kernels.convForward(
      pointer(backend, x), batchSize, inHeight, inWidth, inChannels, pointer(backend, filter), outChannels, filterHeight, filterWidth,
      strideHeight, strideWidth, info.padInfo.top, info.padInfo.left, outHeight, outWidth,
      bias === undefined ? 0 : pointer(backend, bias), relu, pointer(backend, out), scratch);
  });
  return out;
}

// Each wrapper keeps the stock setup: it binds the stock kernel's wasm function, which the fallback calls.

export function conv2DConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<Conv2DAttrs>): TensorInfo => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    return simdConv(args.backend, x, filter, undefined, false, args.attrs) ??
      (stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo);
  };
  return { ...stock, kernelName: Conv2D, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function fusedConv2DConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<FusedConv2DAttrs>): TensorInfo => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined> & { x: TensorInfo; filter: TensorInfo };
    const { activation } = args.attrs;
    const plainBias = bias === undefined || (bias.dtype === "float32" && bias.shape.length === 1 && bias.shape[0] === filter.shape[3]);
    const supported = preluActivationWeights === undefined && plainBias && (activation === "linear" || activation === "relu");
    return (supported ? simdConv(args.backend, x, filter, bias, activation === "relu", args.attrs) : undefined) ??
      (stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo);
  };
  return { ...stock, kernelName: FusedConv2D, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
