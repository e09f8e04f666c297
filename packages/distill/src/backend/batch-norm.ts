// The fused batch-norm training kernels that @microexp/models' BatchNorm layer uses where a
// backend registers them (BATCH_NORM_TRAINING_KERNEL, BATCH_NORM_GRAD_KERNEL; contract in
// models' batch-norm.ts). Op by op, a dsnet training step spent about a fifth of its time on
// batch norm's elementwise passes; these make three passes forward and two backward
// (assembly/batch-norm.ts). Channels not a multiple of 4, or no SIMD module, run the same
// arithmetic in TypeScript.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAINING_KERNEL } from "@microexp/models";
import { pointer, trainingKernels, withScratch } from "./training-module.js";
import { assertFloat32, heapF32, type WasmKernelArgs } from "./wasm-ops.js";

interface BatchNormTrainingAttrs extends NamedAttrMap {
  epsilon: number;
}

/** x as [rows, channels], checked against gamma's length. */
function layout(kernelName: string, x: TensorInfo, gamma: TensorInfo): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  if (x.shape.length < 2 || gamma.shape.length !== 1 || gamma.shape[0] !== channels) {
    throw new Error(`@microexp/distill: wasm ${kernelName} needs x [..., channels] and gamma [channels], got [${x.shape}] and [${gamma.shape}]`);
  }
  return { rows: x.shape.reduce((a, b) => a * b, 1) / channels, channels };
}

function batchNormTraining({ inputs, backend, attrs }: WasmKernelArgs<BatchNormTrainingAttrs>): TensorInfo[] {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  assertFloat32(BATCH_NORM_TRAINING_KERNEL, { x, gamma, beta });
  const { rows, channels } = layout(BATCH_NORM_TRAINING_KERNEL, x, gamma);
  const { epsilon } = attrs;
  const y = backend.makeOutput([...x.shape], "float32");
  const [mean, variance, invStd] = [0, 1, 2].map(() => backend.makeOutput([channels], "float32"));
  const kernels = trainingKernels(backend);
  if (kernels !== undefined && channels % 4 === 0) {
    withScratch(backend, 28 * channels, (scratch) => kernels.batchNormForward(
      pointer(backend, x), rows, channels, pointer(backend, gamma), pointer(backend, beta), epsilon,
      pointer(backend, y), pointer(backend, mean), pointer(backend, variance), pointer(backend, invStd), scratch));
    return [y, mean, variance, invStd];
  }
  const [xs, ys, g, b, m, v, inv] = [x, y, gamma, beta, mean, variance, invStd].map((t) => heapF32(backend, t));
  const sums = new Float64Array(channels);
  for (let i = 0; i < xs.length; i++) sums[i % channels] += xs[i];
  for (let c = 0; c < channels; c++) m[c] = sums[c] / rows;
  sums.fill(0);
  for (let i = 0; i < xs.length; i++) sums[i % channels] += (xs[i] - m[i % channels]) ** 2;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    v[c] = sums[c] / rows;
    inv[c] = 1 / Math.sqrt(v[c] + epsilon);
    scale[c] = g[c] * inv[c];
    shift[c] = b[c] - m[c] * scale[c];
  }
  for (let i = 0; i < xs.length; i++) ys[i] = xs[i] * scale[i % channels] + shift[i % channels];
  return [y, mean, variance, invStd];
}

function batchNormGrad({ inputs, backend }: WasmKernelArgs<NamedAttrMap>): TensorInfo[] {
  const { dy, x, mean, invStd, gamma } = inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; invStd: TensorInfo; gamma: TensorInfo };
  assertFloat32(BATCH_NORM_GRAD_KERNEL, { dy, x, mean, invStd, gamma });
  const { rows, channels } = layout(BATCH_NORM_GRAD_KERNEL, x, gamma);
  if (dy.shape.join(",") !== x.shape.join(",")) throw new Error(`@microexp/distill: wasm ${BATCH_NORM_GRAD_KERNEL}: dy [${dy.shape}] and x [${x.shape}] differ`);
  const dx = backend.makeOutput([...x.shape], "float32");
  const dGamma = backend.makeOutput([channels], "float32");
  const dBeta = backend.makeOutput([channels], "float32");
  const kernels = trainingKernels(backend);
  if (kernels !== undefined && channels % 4 === 0) {
    withScratch(backend, 28 * channels, (scratch) => kernels.batchNormBackward(
      pointer(backend, dy), pointer(backend, x), rows, channels, pointer(backend, mean), pointer(backend, invStd), pointer(backend, gamma),
      pointer(backend, dx), pointer(backend, dGamma), pointer(backend, dBeta), scratch));
    return [dx, dGamma, dBeta];
  }
  const [dys, xs, m, inv, g, dxs, dg, db] = [dy, x, mean, invStd, gamma, dx, dGamma, dBeta].map((t) => heapF32(backend, t));
  const sumDy = new Float64Array(channels);
  const sumDyCentred = new Float64Array(channels);
  for (let i = 0; i < xs.length; i++) {
    const c = i % channels;
    sumDy[c] += dys[i];
    sumDyCentred[c] += dys[i] * (xs[i] - m[c]);
  }
  const k = new Float32Array(channels);
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    db[c] = sumDy[c];
    dg[c] = sumDyCentred[c] * inv[c];
    k[c] = g[c] * inv[c];
    a[c] = (k[c] * sumDy[c]) / rows;
    b[c] = (k[c] * dg[c] * inv[c]) / rows;
  }
  for (let i = 0; i < xs.length; i++) {
    const c = i % channels;
    dxs[i] = dys[i] * k[c] - a[c] - (xs[i] - m[c]) * b[c];
  }
  return [dx, dGamma, dBeta];
}

export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_KERNEL,
  backendName: "wasm",
  kernelFunc: batchNormTraining as unknown as KernelFunc,
};

export const batchNormGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD_KERNEL,
  backendName: "wasm",
  kernelFunc: batchNormGrad as unknown as KernelFunc,
};
