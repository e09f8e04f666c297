// Conv2DBackpropInput (NHWC) as stride phases: the input pixels with the same position modulo
// the stride, (ry, rx), receive the output gradient through the filter taps ky = ry (mod sh),
// kx = rx (mod sw) only, and that is an ordinary stride-1 convolution of dy with those taps
// flipped and the channel axes swapped. Each phase runs our SIMD convolution
// (assembly/conv.ts), which writes its pixels straight into their interleaved places in dx.
// For MicroExpNet's conv2 (4x4, stride 2): four 2x2 convolutions, no column matrix, no col2im.
import type { backend_util, TensorInfo } from "@tensorflow/tfjs-core";
import { pointer, withScratch, type TrainingKernels } from "./training-module.js";
import { heapF32, zeros, type BackendWasm } from "./wasm-ops.js";

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * C a multiple of 4 (the phases' output channels), up to 32 channels each side (measured on
 * MicroExpNet's conv2; wide teachers keep XNNPACK's GEMM), and no phase that would have to
 * skip dy columns (padding before wider than the kernel).
 */
export function phasesApply(info: backend_util.Conv2DInfo): boolean {
  const { inChannels, outChannels, filterWidth, strideWidth, dilationHeight, dilationWidth } = info;
  if (inChannels % 4 !== 0 || inChannels > 32 || outChannels > 32 || dilationHeight !== 1 || dilationWidth !== 1) return false;
  for (let rx = 0; rx < strideWidth; rx++) {
    if (ceilDiv(filterWidth - rx, strideWidth) - 1 - ceilDiv(info.padInfo.left - rx, strideWidth) < 0) return false;
  }
  return true;
}

/** dx of an NHWC convolution from dy (NHWC) and the filter, for shapes where phasesApply. */
export function backpropInputByPhases(
  kernels: TrainingKernels, backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels: F } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // A phase without taps (kernel smaller than the stride) leaves its pixels at zero.
  const dx = kh < sh || kw < sw ? zeros(backend, [batchSize, inHeight, inWidth, C]) : backend.makeOutput([batchSize, inHeight, inWidth, C], "float32");
  if (batchSize === 0 || inHeight === 0 || inWidth === 0) return dx;
  const weights = heapF32(backend, filter).slice(); // [kh, kw, C, F], copied before any allocation
  const pixelBytes = C * 4;

  for (let ry = 0; ry < sh; ry++) {
    const tapsH = ceilDiv(kh - ry, sh); // taps ky = ry + sh * j
    const firstQy = ceilDiv(top - ry, sh); // phase row Q holds dx row Q * sh + ry - top
    const rows = Math.floor((top + inHeight - 1 - ry) / sh) - firstQy + 1;
    if (tapsH <= 0 || rows <= 0) continue;
    for (let rx = 0; rx < sw; rx++) {
      const tapsW = ceilDiv(kw - rx, sw);
      const firstQx = ceilDiv(left - rx, sw);
      const cols = Math.floor((left + inWidth - 1 - rx) / sw) - firstQx + 1;
      if (tapsW <= 0 || cols <= 0) continue;
      // Phase filter [tapsH, tapsW, F, C]: tap (j', i') is filter tap (ry + sh * (tapsH - 1 - j'), rx + sw * (tapsW - 1 - i')).
      const phase = new Float32Array(tapsH * tapsW * F * C);
      for (let j = 0; j < tapsH; j++) {
        const ky = ry + sh * (tapsH - 1 - j);
        for (let i = 0; i < tapsW; i++) {
          const kx = rx + sw * (tapsW - 1 - i);
          const source = (ky * kw + kx) * C * F;
          const target = (j * tapsW + i) * F * C;
          for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) phase[target + f * C + c] = weights[source + c * F + f];
        }
      }
      // Phase output row r (Q = firstQy + r) reads dy rows Q - (tapsH - 1) .. Q: padding
      // tapsH - 1 - firstQy before; when that is negative, the first dy rows are skipped instead.
      // (Columns cannot be skipped that way: phasesApply excludes it.)
      const padTop = tapsH - 1 - firstQy;
      const padLeft = tapsW - 1 - firstQx;
      const skipRows = Math.max(0, -padTop);
      const usedHeight = Math.max(0, outHeight - skipRows);
      const paddedWidth = cols - 1 + tapsW;
      const paddedFloats = ((rows - 1 + tapsH) * paddedWidth + paddedWidth) * F; // + one row: the kernel's overrun
      const firstDx = ((firstQy * sh + ry - top) * inWidth + (firstQx * sw + rx - left)) * pixelBytes;
      withScratch(backend, phase.byteLength + paddedFloats * 4, (scratch) => {
        new Float32Array((backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32.buffer, scratch, phase.length).set(phase);
        const dyStart = pointer(backend, dy) + skipRows * outWidth * F * 4;
        kernels.convForwardInto(
          dyStart, batchSize, outHeight * outWidth * F * 4, usedHeight, outWidth, F, scratch, C, tapsH, tapsW, 1, 1,
          Math.max(0, padTop), padLeft, rows, cols, 0, false,
          pointer(backend, dx) + firstDx, sw * pixelBytes, sh * inWidth * pixelBytes, inHeight * inWidth * pixelBytes,
          scratch + phase.byteLength);
      });
    }
  }
  return dx;
}
