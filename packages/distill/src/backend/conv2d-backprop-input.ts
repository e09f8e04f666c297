// Conv2DBackpropInput for wasm, replacing the stock kernel (a scalar C++ loop, ~4x slower
// than this at MicroExpNet's conv2). Up to 32 channels, stride phases of our SIMD convolution
// (conv2d-backprop-input-phases.ts); otherwise two routes on the wasm backend's own kernels:
// - stride 1: dx is an ordinary convolution of dy with the filter rotated by 180 degrees
//   and its channel axes swapped, run by XNNPACK Conv2D;
// - any stride: cols = dy x W^T (XNNPACK matmul), then col2im scatters the patches back,
//   in batch chunks so the column matrix stays under COLUMN_BUDGET floats (col2im in wasm
//   SIMD, assembly/col2im.ts, when the channels are a multiple of 4).
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { col2im } from "./col2im.js";
import { backpropInputByPhases, phasesApply } from "./conv2d-backprop-input-phases.js";
import { pointer, trainingKernels } from "./training-module.js";
import {
  assertFloat32, heapF32, matMul, release, reshape, runWasmKernel, slice, transpose, zeros,
  type BackendWasm, type WasmKernelArgs,
} from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

/** Largest column matrix (floats) built at once: 64 MB. */
const COLUMN_BUDGET = 1 << 24;

function conv2DBackpropInput({ inputs, backend, attrs }: WasmKernelArgs<Conv2DBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  assertFloat32(Conv2DBackpropInput, { dy, filter });
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const channelsLast = dataFormat !== "NCHW";
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, channelsLast ? "channelsLast" : "channelsFirst");

  const dyNhwc = channelsLast ? dy : transpose(backend, dy, [0, 2, 3, 1]);
  const kernels = trainingKernels(backend);
  const dxNhwc = kernels !== undefined && phasesApply(info)
    ? backpropInputByPhases(kernels, backend, dyNhwc, filter, info)
    : viaConvolution(backend, dyNhwc, filter, info) ?? viaCol2im(backend, dyNhwc, filter, info);
  const dx = channelsLast ? dxNhwc : transpose(backend, dxNhwc, [0, 3, 1, 2]);
  if (dyNhwc !== dy) release(backend, dyNhwc);
  if (dx !== dxNhwc) release(backend, dxNhwc);
  return dx;
}

/** Stride 1 only (and padding no wider than the filter); undefined when it does not apply. */
function viaConvolution(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  if (strideHeight !== 1 || strideWidth !== 1) return undefined;
  const top = filterHeight - 1 - padInfo.top;
  const bottom = inHeight - outHeight + padInfo.top;
  const left = filterWidth - 1 - padInfo.left;
  const right = inWidth - outWidth + padInfo.left;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) return undefined;
  const flipped = runWasmKernel(backend, "Reverse", { x: filter }, { dims: [0, 1] });
  const rotated = transpose(backend, flipped, [0, 1, 3, 2]); // [kh, kw, out, in]
  const dx = runWasmKernel(backend, "Conv2D", { x: dy, filter: rotated }, {
    strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: "NHWC",
  });
  release(backend, flipped, rotated);
  return dx;
}

function viaCol2im(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const patch = filterHeight * filterWidth * inChannels;
  const dx = zeros(backend, [batchSize, inHeight, inWidth, inChannels]);
  if (batchSize === 0 || outHeight * outWidth === 0) return dx;

  const filterRows = reshape(backend, filter, [1, patch, outChannels]);
  const filterT = transpose(backend, filterRows, [0, 2, 1]); // [1, out, patch]
  const geometry = {
    height: inHeight, width: inWidth, channels: inChannels, outHeight, outWidth,
    kernelHeight: filterHeight, kernelWidth: filterWidth,
    strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
  const pixels = outHeight * outWidth;
  const chunk = Math.max(1, Math.floor(COLUMN_BUDGET / (pixels * patch)));
  for (let first = 0; first < batchSize; first += chunk) {
    const images = Math.min(chunk, batchSize - first);
    const dyChunk = images === batchSize ? dy : slice(backend, dy, [first, 0, 0, 0], [images, outHeight, outWidth, outChannels]);
    const dyRows = reshape(backend, dyChunk, [1, images * pixels, outChannels]);
    const cols = matMul(backend, dyRows, filterT); // [1, images * pixels, patch]
    const kernels = trainingKernels(backend);
    if (kernels !== undefined && inChannels % 4 === 0) {
      const g = geometry;
      kernels.col2im(pointer(backend, cols), pointer(backend, dx), first, images, g.height, g.width, g.channels,
        g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft);
    } else {
      col2im(heapF32(backend, cols), heapF32(backend, dx), first, images, geometry);
    }
    release(backend, dyRows, cols);
    if (dyChunk !== dy) release(backend, dyChunk);
  }
  release(backend, filterRows, filterT);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
