// MaxPoolGrad for wasm, replacing the stock kernel, which is slow (a generic 3D pooling
// loop, ~3x slower than this one at MicroExpNet's first pool) and wrong for windows whose
// values are all negative: it starts its running max at FLT_MIN (the smallest positive
// float) rather than -infinity, so those windows pass no gradient at all. This loop
// matches the cpu backend: the first strict maximum of each window (scanned row by row)
// takes the gradient. 2x2 windows with stride 2 and no padding before (MicroExpNet's pools)
// run in wasm SIMD (assembly/pool-grad.ts, same rule), several times faster than this loop.
import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { pointer, trainingKernels } from "./training-module.js";
import { assertFloat32, heapF32, zeros, type WasmKernelArgs } from "./wasm-ops.js";

type Shape4 = [number, number, number, number];

function orMinusInfinity(value: number): number {
  return value > -Infinity ? value : -Infinity;
}

function maxPoolGrad({ inputs, backend, attrs }: WasmKernelArgs<MaxPoolGradAttrs>): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  assertFloat32(MaxPoolGrad, { dy, input });
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: filterHeight, effectiveFilterWidth: filterWidth } = info;
  const { top, left } = info.padInfo;

  const kernels = trainingKernels(backend);
  if (kernels !== undefined && filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
    top === 0 && left === 0 && channels % 4 === 0) {
    const dx = backend.makeOutput([...input.shape], "float32");
    kernels.maxPoolGrad2x2(
      pointer(backend, input), pointer(backend, dy), pointer(backend, dx), batchSize, inHeight, inWidth, outHeight, outWidth, channels);
    return dx;
  }

  const dx = zeros(backend, [...input.shape]);
  const xs = heapF32(backend, input);
  const dys = heapF32(backend, dy);
  const dxs = heapF32(backend, dx);
  const pairs = filterHeight === 2 && filterWidth === 2;
  const rowStride = inWidth * channels;
  // Per-channel running maximum of the current window and where it was found.
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      const r0 = Math.max(0, y * strideHeight - top);
      const r1 = Math.min(inHeight, y * strideHeight - top + filterHeight);
      for (let xo = 0; xo < outWidth; xo++) {
        const c0 = Math.max(0, xo * strideWidth - left);
        const c1 = Math.min(inWidth, xo * strideWidth - left + filterWidth);
        const dyBase = ((n * outHeight + y) * outWidth + xo) * channels;
        const corner = ((n * inHeight + r0) * inWidth + c0) * channels;
        if (pairs && r1 - r0 === 2 && c1 - c0 === 2) {
          // A whole 2x2 window (the common case): a branch-free tournament over
          // a b / c d that keeps the first maximum in scan order. NaN counts as
          // -infinity and -infinity never wins, as in the cpu backend.
          for (let c = 0; c < channels; c++) {
            const p = corner + c;
            const a = orMinusInfinity(xs[p]);
            const b = orMinusInfinity(xs[p + channels]);
            const cc = orMinusInfinity(xs[p + rowStride]);
            const d = orMinusInfinity(xs[p + rowStride + channels]);
            const right1 = +(b > a);
            const right2 = +(d > cc);
            const top1 = right1 ? b : a;
            const bottom1 = right2 ? d : cc;
            const lower = +(bottom1 > top1);
            const pick = lower ? 2 + right2 : right1; // 0 a, 1 b, 2 c, 3 d
            if (top1 > -Infinity || bottom1 > -Infinity) {
              dxs[p + (pick >> 1) * rowStride + (pick & 1) * channels] += dys[dyBase + c];
            }
          }
          continue;
        }
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const base = ((n * inHeight + r) * inWidth + col) * channels;
            for (let c = 0; c < channels; c++) {
              const value = xs[base + c];
              if (value > best[c]) {
                best[c] = value;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) if (where[c] >= 0) dxs[where[c]] += dys[dyBase + c];
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
