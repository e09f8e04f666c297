// DepthwiseConv2dNativeBackpropFilter for wasm (missing in tfjs-backend-wasm 4.22).
// Each filter tap is a per-channel dot product over the batch and output pixels, which
// XNNPACK has no operator for. Multiplier 1 with channels a multiple of 4 (dsnet's layers)
// runs in wasm SIMD (assembly/depthwise-grad.ts); other shapes, or no SIMD module, take a
// direct loop over the wasm heap (NHWC, channels innermost, float64 accumulators like the
// cpu backend) in one pass.
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { pointer, trainingKernels, withScratch } from "./training-module.js";
import { assertFloat32, heapF32, type WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

function depthwiseConv2dNativeBackpropFilter(
  { inputs, backend, attrs }: WasmKernelArgs<DepthwiseConv2dNativeBackpropFilterAttrs>,
): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  assertFloat32(DepthwiseConv2dNativeBackpropFilter, { x, dy });
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`@microexp/distill: wasm ${DepthwiseConv2dNativeBackpropFilter} supports dilation 1 only, got [${dilations}]`);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;

  const kernels = trainingKernels(backend);
  if (kernels !== undefined && multiplier === 1 && inChannels % 4 === 0) {
    const dw = backend.makeOutput([...filterShape], "float32");
    withScratch(backend, filterHeight * filterWidth * inChannels * 8, (scratch) => kernels.depthwiseFilter(
      pointer(backend, x), pointer(backend, dy), batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth,
      strideHeight, strideWidth, top, left, outHeight, outWidth, pointer(backend, dw), scratch));
    return dw;
  }

  const sums = new Float64Array(filterHeight * filterWidth * outChannels);

  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let i = 0; i < filterHeight; i++) {
        const ih = y * strideHeight - top + i;
        if (ih < 0 || ih >= inHeight) continue;
        for (let xo = 0; xo < outWidth; xo++) {
          const dyBase = ((n * outHeight + y) * outWidth + xo) * outChannels;
          for (let j = 0; j < filterWidth; j++) {
            const iw = xo * strideWidth - left + j;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            const sumBase = (i * filterWidth + j) * outChannels;
            // Output channel k reads input channel floor(k / multiplier).
            for (let c = 0, k = 0; c < inChannels; c++) {
              const value = xs[xBase + c];
              for (let m = 0; m < multiplier; m++, k++) sums[sumBase + k] += value * dys[dyBase + k];
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([...filterShape], "float32");
  heapF32(backend, out).set(sums);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
