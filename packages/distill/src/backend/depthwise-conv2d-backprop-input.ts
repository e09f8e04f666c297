// DepthwiseConv2dNativeBackpropInput for wasm (missing in tfjs-backend-wasm 4.22): the
// adjoint of a depthwise convolution. Multiplier 1 with channels a multiple of 4 (dsnet's
// layers) runs in wasm SIMD (assembly/depthwise-grad.ts, each dx vector gathered from the dy
// pixels whose windows hold it); other shapes, or no SIMD module, take a direct loop over
// the wasm heap that scatters dy into dx (NHWC, channels innermost, float64 accumulators
// like the cpu backend).
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { pointer, trainingKernels } from "./training-module.js";
import { assertFloat32, heapF32, type WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

function depthwiseConv2dNativeBackpropInput(
  { inputs, backend, attrs }: WasmKernelArgs<DepthwiseConv2dNativeBackpropInputAttrs>,
): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  assertFloat32(DepthwiseConv2dNativeBackpropInput, { dy, filter });
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`@microexp/distill: wasm ${DepthwiseConv2dNativeBackpropInput} supports dilation 1 only, got [${dilations}]`);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;

  const kernels = trainingKernels(backend);
  if (kernels !== undefined && multiplier === 1 && inChannels % 4 === 0) {
    const dx = backend.makeOutput([...info.inShape], "float32");
    kernels.depthwiseInput(
      pointer(backend, dy), pointer(backend, filter), batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth,
      strideHeight, strideWidth, top, left, outHeight, outWidth, pointer(backend, dx));
    return dx;
  }

  const sums = new Float64Array(batchSize * inHeight * inWidth * inChannels);

  const dys = heapF32(backend, dy);
  const weights = heapF32(backend, filter);
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let xo = 0; xo < outWidth; xo++) {
        const dyBase = ((n * outHeight + y) * outWidth + xo) * outChannels;
        for (let i = 0; i < filterHeight; i++) {
          const ih = y * strideHeight - top + i;
          if (ih < 0 || ih >= inHeight) continue;
          for (let j = 0; j < filterWidth; j++) {
            const iw = xo * strideWidth - left + j;
            if (iw < 0 || iw >= inWidth) continue;
            const dxBase = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (i * filterWidth + j) * outChannels;
            for (let c = 0, k = 0; c < inChannels; c++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++, k++) sum += dys[dyBase + k] * weights[wBase + k];
              sums[dxBase + c] += sum;
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([...info.inShape], "float32");
  heapF32(backend, out).set(sums);
  return out;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
