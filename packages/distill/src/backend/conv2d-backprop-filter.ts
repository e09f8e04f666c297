// Conv2DBackpropFilter for wasm (tfjs-backend-wasm 4.22 has none). The filter gradient
//   dW[i,j,c,o] = sum over (n, y, x) of xPadded[n, i + sh*y, j + sw*x, c] * dy[n, y, x, o]
// is itself a convolution once the batch is moved into the channel axis: the input
// becomes x as [c, H, W, n], the "filter" becomes dy as [y, x, n, o], dilated by the
// stride. So it runs on the wasm backend's own XNNPACK Conv2D, with no im2col copy.
// Inputs of up to 16 channels (MicroExpNet's conv1 and conv2) run our SIMD kernel instead
// (assembly/conv.ts): XNNPACK's convolution does single-channel input at about a quarter of
// the core's speed. A 1x1 convolution at stride 1 without padding (dsnet's pointwise layers)
// is one matrix product, x's rows transposed times dy's rows: our SIMD kernel where the
// channels allow (assembly/pointwise-grad.ts), else XNNPACK's; either is faster than that
// convolution at dsnet's shapes (XNNPACK's convolution with a kernel as large as the image).
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { isSimdConv } from "./conv2d.js";
import { pointer, trainingKernels, withScratch, type TrainingKernels } from "./training-module.js";
import { assertFloat32, matMul, release, reshape, runWasmKernel, slice, transpose, zeros, type WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

function simdFilterGradient(
  kernels: TrainingKernels, backend: WasmKernelArgs<unknown>["backend"], x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const dW = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], "float32");
  const paddedBytes = ((outHeight - 1) * strideHeight + filterHeight) * ((outWidth - 1) * strideWidth + filterWidth) * inChannels * 4;
  const weights = filterHeight * filterWidth * inChannels * outChannels;
  // The padded image, rounded up to 16 bytes, then one image's float sums and the batch's double sums.
  const scratchBytes = Math.ceil(paddedBytes / 16) * 16 + weights * 12;
  withScratch(backend, scratchBytes, (scratch) => {
    kernels.convFilter(
      pointer(backend, x), batchSize, inHeight, inWidth, inChannels, pointer(backend, dy), outChannels, filterHeight, filterWidth,
      strideHeight, strideWidth, info.padInfo.top, info.padInfo.left, outHeight, outWidth, pointer(backend, dW), scratch);
  });
  return dW;
}

/** dW[0, 0, c, o] = sum over the pixels r of x[r, c] * dy[r, o]: our kernel or XNNPACK's matrix product. */
function pointwiseFilterGradient(
  kernels: TrainingKernels | undefined, backend: WasmKernelArgs<unknown>["backend"], x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const rows = batchSize * inHeight * inWidth;
  if (kernels !== undefined && inChannels % 4 === 0 && outChannels % 8 === 0) {
    const dW = backend.makeOutput([1, 1, inChannels, outChannels], "float32");
    withScratch(backend, inChannels * outChannels * 8, (scratch) =>
      kernels.pointwiseFilter(pointer(backend, x), pointer(backend, dy), rows, inChannels, outChannels, pointer(backend, dW), scratch));
    return dW;
  }
  const xRows = reshape(backend, x, [1, rows, inChannels]);
  const xColumns = transpose(backend, xRows, [0, 2, 1]); // [1, c, rows]
  const dyRows = reshape(backend, dy, [1, rows, outChannels]);
  const product = matMul(backend, xColumns, dyRows); // [1, c, o]
  const dW = reshape(backend, product, [1, 1, inChannels, outChannels]);
  release(backend, xRows, xColumns, dyRows, product);
  return dW;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  assertFloat32(Conv2DBackpropFilter, { x, dy });
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const channelsLast = dataFormat !== "NCHW";
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, channelsLast ? "channelsLast" : "channelsFirst");
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;

  // The padded input rows/cols some tap reaches; rows past the last tap are cropped away.
  const spanH = filterHeight + strideHeight * (outHeight - 1);
  const spanW = filterWidth + strideWidth * (outWidth - 1);
  const usedH = Math.min(inHeight, spanH - top);
  const usedW = Math.min(inWidth, spanW - left);
  if (batchSize === 0 || outHeight <= 0 || outWidth <= 0 || usedH <= 0 || usedW <= 0) {
    return zeros(backend, [...filterShape]); // no tap touches the input
  }
  const kernels = trainingKernels(backend);
  if (kernels !== undefined && isSimdConv(x, filterShape, dataFormat)) {
    return simdFilterGradient(kernels, backend, x, dy, info);
  }
  if (channelsLast && filterHeight === 1 && filterWidth === 1 && strideHeight === 1 && strideWidth === 1 &&
    outHeight === inHeight && outWidth === inWidth) {
    return pointwiseFilterGradient(kernels, backend, x, dy, info);
  }

  const xNhwc = channelsLast ? x : transpose(backend, x, [0, 2, 3, 1]);
  const dyNhwc = channelsLast ? dy : transpose(backend, dy, [0, 2, 3, 1]);
  const xUsed = usedH < inHeight || usedW < inWidth
    ? slice(backend, xNhwc, [0, 0, 0, 0], [batchSize, usedH, usedW, inChannels])
    : xNhwc;
  const images = transpose(backend, xUsed, [3, 1, 2, 0]); // [c, H, W, n]
  const taps = transpose(backend, dyNhwc, [1, 2, 0, 3]); // [y, x, n, o]
  const explicitPad = [[0, 0], [top, spanH - top - usedH], [left, spanW - left - usedW], [0, 0]];
  const grad = runWasmKernel(backend, "Conv2D", { x: images, filter: taps }, {
    strides: [1, 1], dilations: [strideHeight, strideWidth], pad: explicitPad, dataFormat: "NHWC",
  }); // [c, i, j, o]
  const dW = transpose(backend, grad, [1, 2, 0, 3]); // [i, j, c, o]

  release(backend, images, taps, grad);
  if (xUsed !== xNhwc) release(backend, xUsed);
  if (xNhwc !== x) release(backend, xNhwc);
  if (dyNhwc !== dy) release(backend, dyNhwc);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
