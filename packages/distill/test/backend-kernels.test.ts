// Every kernel this package registers for wasm, run on random inputs over many shapes and
// compared with the cpu backend (the reference implementation of tfjs).
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAINING_KERNEL, batchNormTraining } from "@microexp/models";
import { selectBackend, setSimdTrainingKernels, WASM_TRAINING_KERNELS, wasmTrainingKernelsRegistered } from "../src/backend/index.js";
import { pointer, trainingKernels, withScratch } from "../src/backend/training-module.js";
import type { BackendWasm } from "../src/backend/wasm-ops.js";
import { uniformFloats } from "../../../test-support/random.js";

type Shape4 = [number, number, number, number];
type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic uniform floats in [-1, 1). */
const randoms = (count: number, seed: number) => uniformFloats(count, seed, -1, 1);

interface Input { shape: number[]; values: Float32Array }

function input(shape: number[], seed: number, transform: (v: number) => number = (v) => v): Input {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: randoms(size, seed).map(transform) };
}

interface Result { shape: number[]; values: Float32Array }

async function runOn(backend: "wasm" | "cpu", kernelName: string, inputs: Record<string, Input>, attrs: object): Promise<Result> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, { shape, values }] of Object.entries(inputs)) tensors[name] = tf.tensor(values, shape, "float32");
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, values: out.dataSync() as Float32Array };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** max |wasm - cpu| over max |cpu|: the relative error of the whole result. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

async function expectSameAsCpu(kernelName: string, inputs: Record<string, Input>, attrs: object): Promise<void> {
  const cpu = await runOn("cpu", kernelName, inputs, attrs);
  const wasm = await runOn("wasm", kernelName, inputs, attrs);
  expect(wasm.shape).toEqual(cpu.shape);
  expect(wasm.values.length).toBe(cpu.values.length);
  expect(cpu.values.some((v) => v !== 0)).toBe(true); // an all-zero reference would prove nothing
  expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(1e-4);
}

interface ConvCase {
  batch: number; height: number; width: number; inChannels: number; outChannels: number;
  kernel: [number, number]; strides: number | [number, number]; pad: Pad;
  dataFormat?: "NHWC" | "NCHW"; dimRoundingMode?: "floor" | "round" | "ceil";
}

const CONV_CASES: ConvCase[] = [
  // MicroExpNet's two convolutions (batch 2 keeps the cpu reference quick).
  { batch: 2, height: 84, width: 84, inChannels: 1, outChannels: 16, kernel: [8, 8], strides: 2, pad: "same" },
  { batch: 3, height: 21, width: 21, inChannels: 16, outChannels: 32, kernel: [4, 4], strides: 2, pad: "same" },
  // strides 1 / 2 / 4, SAME and VALID, odd sizes, batch 1 and > 1, channels 1..32.
  { batch: 1, height: 7, width: 7, inChannels: 1, outChannels: 1, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 2, height: 9, width: 11, inChannels: 3, outChannels: 5, kernel: [3, 3], strides: 1, pad: "valid" },
  { batch: 4, height: 13, width: 13, inChannels: 32, outChannels: 8, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 1, height: 12, width: 10, inChannels: 8, outChannels: 32, kernel: [5, 5], strides: 1, pad: "same" },
  { batch: 3, height: 15, width: 15, inChannels: 2, outChannels: 7, kernel: [2, 2], strides: 2, pad: "same" },
  { batch: 2, height: 15, width: 14, inChannels: 5, outChannels: 3, kernel: [3, 3], strides: 2, pad: "valid" },
  { batch: 1, height: 17, width: 17, inChannels: 16, outChannels: 16, kernel: [4, 4], strides: 2, pad: "same" },
  { batch: 2, height: 23, width: 19, inChannels: 1, outChannels: 16, kernel: [8, 8], strides: 4, pad: "same" },
  { batch: 3, height: 21, width: 21, inChannels: 4, outChannels: 6, kernel: [5, 5], strides: 4, pad: "valid" },
  { batch: 1, height: 9, width: 9, inChannels: 3, outChannels: 2, kernel: [2, 2], strides: 4, pad: "valid" }, // rows past the last tap
  { batch: 2, height: 10, width: 13, inChannels: 6, outChannels: 4, kernel: [3, 2], strides: [1, 2], pad: "same" },
  { batch: 2, height: 11, width: 9, inChannels: 3, outChannels: 5, kernel: [1, 1], strides: 1, pad: "valid" },
  { batch: 2, height: 6, width: 6, inChannels: 2, outChannels: 3, kernel: [6, 6], strides: 1, pad: "valid" }, // kernel = image
  // Numeric and explicit padding, rounding modes, padding wider than the kernel, NCHW.
  { batch: 2, height: 10, width: 10, inChannels: 3, outChannels: 4, kernel: [3, 3], strides: 2, pad: 1, dimRoundingMode: "ceil" },
  { batch: 1, height: 9, width: 12, inChannels: 2, outChannels: 2, kernel: [3, 3], strides: 1, pad: 2, dimRoundingMode: "floor" },
  { batch: 2, height: 8, width: 7, inChannels: 3, outChannels: 4, kernel: [3, 3], strides: 1, pad: [[0, 0], [4, 1], [0, 3], [0, 0]] },
  { batch: 2, height: 12, width: 12, inChannels: 4, outChannels: 8, kernel: [3, 3], strides: 1, pad: "same", dataFormat: "NCHW" },
  { batch: 1, height: 13, width: 11, inChannels: 3, outChannels: 5, kernel: [4, 4], strides: 2, pad: "valid", dataFormat: "NCHW" },
  // Single-channel input (the SIMD kernels take up to 16 channels, filters a multiple of 4): 4- and
  // 8-filter groups, row tails of 1-3 pixels, kernel widths not a multiple of 4, VALID
  // cropping, explicit padding; 5 filters and NCHW fall back to the stock kernels.
  { batch: 3, height: 20, width: 17, inChannels: 1, outChannels: 8, kernel: [5, 3], strides: [2, 1], pad: "same" },
  { batch: 2, height: 19, width: 22, inChannels: 1, outChannels: 12, kernel: [7, 7], strides: 3, pad: "valid" },
  { batch: 1, height: 9, width: 9, inChannels: 1, outChannels: 4, kernel: [2, 2], strides: 4, pad: "valid" },
  { batch: 2, height: 10, width: 9, inChannels: 1, outChannels: 24, kernel: [3, 3], strides: 1, pad: 2, dimRoundingMode: "floor" },
  { batch: 2, height: 8, width: 11, inChannels: 1, outChannels: 16, kernel: [4, 6], strides: 2, pad: [[0, 0], [3, 0], [1, 4], [0, 0]] },
  { batch: 1, height: 5, width: 6, inChannels: 1, outChannels: 8, kernel: [9, 9], strides: 1, pad: "same" }, // kernel > image
  { batch: 2, height: 14, width: 13, inChannels: 1, outChannels: 5, kernel: [3, 3], strides: 2, pad: "same" },
  { batch: 2, height: 12, width: 12, inChannels: 1, outChannels: 8, kernel: [3, 3], strides: 1, pad: "same", dataFormat: "NCHW" },
  // Input gradient by stride phases (C a multiple of 4): phases without taps (kernel < stride),
  // padding before wider than the kernel (rows skipped; columns: the col2im route).
  { batch: 1, height: 9, width: 9, inChannels: 4, outChannels: 2, kernel: [2, 2], strides: 4, pad: "valid" },
  { batch: 2, height: 8, width: 7, inChannels: 4, outChannels: 4, kernel: [3, 3], strides: 2, pad: [[0, 0], [5, 1], [0, 4], [0, 0]] },
  { batch: 2, height: 8, width: 7, inChannels: 8, outChannels: 4, kernel: [3, 3], strides: 2, pad: [[0, 0], [1, 0], [5, 2], [0, 0]] },
  { batch: 2, height: 12, width: 11, inChannels: 12, outChannels: 20, kernel: [5, 4], strides: [3, 2], pad: "same" },
  // 1x1 over more than 16 channels at stride 1 without padding (dsnet's pointwise layers): one
  // matrix product for the filter gradient (SIMD for 32 -> 8); with padding or stride 2: the convolution.
  { batch: 3, height: 11, width: 9, inChannels: 24, outChannels: 20, kernel: [1, 1], strides: 1, pad: "same" },
  { batch: 2, height: 7, width: 6, inChannels: 32, outChannels: 8, kernel: [1, 1], strides: 1, pad: "valid" },
  { batch: 2, height: 11, width: 11, inChannels: 32, outChannels: 16, kernel: [1, 1], strides: 2, pad: "same" },
  { batch: 2, height: 6, width: 7, inChannels: 20, outChannels: 12, kernel: [1, 1], strides: 1, pad: 1 },
  // More channels: 32 (past the SIMD kernels' 16: XNNPACK) and 16 with 12 filters.
  { batch: 2, height: 9, width: 9, inChannels: 32, outChannels: 16, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 3, height: 11, width: 10, inChannels: 16, outChannels: 12, kernel: [3, 4], strides: [1, 2], pad: "valid" },
];

function describeConv(c: ConvCase): string {
  const pad = typeof c.pad === "object" ? JSON.stringify(c.pad.slice(1, 3)) : c.pad;
  return `[${c.batch},${c.height},${c.width},${c.inChannels}] ${c.kernel.join("x")}x${c.outChannels} ` +
    `stride ${c.strides} pad ${pad}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ""} ${c.dataFormat ?? "NHWC"}`;
}

function convShapes(c: ConvCase): { x: Shape4; filter: Shape4; dy: number[] } {
  const nchw = c.dataFormat === "NCHW";
  const x: Shape4 = nchw ? [c.batch, c.inChannels, c.height, c.width] : [c.batch, c.height, c.width, c.inChannels];
  const filter: Shape4 = [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels];
  const info = tf.backend_util.computeConv2DInfo(
    x, filter, c.strides, 1, c.pad, c.dimRoundingMode, false, nchw ? "channelsFirst" : "channelsLast");
  return { x, filter, dy: info.outShape };
}

beforeAll(async () => {
  const info = await selectBackend("wasm");
  expect(info.customKernels).toBe(true);
});

describe("wasm training kernels", () => {
  it("are all registered", () => {
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    expect([...WASM_TRAINING_KERNELS].sort()).toEqual([
      "Add", "BatchMatMul", "Cast", "Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput",
      "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "FusedConv2D", "Identity", "MaxPool", "MaxPoolGrad", "Mean",
      BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAINING_KERNEL, "Sum",
    ].sort());
  });

  it("run the SIMD module on the wasm backend's own heap", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as BackendWasm;
    expect(trainingKernels(backend)).toBeDefined();
    setSimdTrainingKernels(false);
    expect(trainingKernels(backend)).toBeUndefined();
    setSimdTrainingKernels(true);
    expect(trainingKernels(backend)).toBeDefined();
  });
});

describe("Conv2D and FusedConv2D on wasm match cpu", () => {
  // NHWC (the stock kernel, which runs shapes ours do not, has no NCHW).
  CONV_CASES.forEach((c, i) => {
    if (c.dataFormat === "NCHW") return;
    const { x, filter } = convShapes(c);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? "NHWC", dimRoundingMode: c.dimRoundingMode, dilations: 1 };
    it(`Conv2D ${describeConv(c)}`, async () => {
      await expectSameAsCpu("Conv2D", { x: input(x, 1200 + i), filter: input(filter, 1300 + i) }, attrs);
    });
    it(`FusedConv2D + bias + ReLU ${describeConv(c)}`, async () => {
      await expectSameAsCpu("FusedConv2D", {
        x: input(x, 1400 + i), filter: input(filter, 1500 + i), bias: input([c.outChannels], 1600 + i),
      }, { ...attrs, activation: "relu" });
    });
  });

  it("FusedConv2D without bias, linear", async () => {
    await expectSameAsCpu("FusedConv2D", { x: input([2, 20, 20, 1], 1700), filter: input([5, 5, 1, 8], 1701) }, {
      strides: 2, pad: "same", dataFormat: "NHWC", dilations: 1, activation: "linear",
    });
  });

  it("FusedConv2D with another activation falls back to the stock kernel", async () => {
    await expectSameAsCpu("FusedConv2D", {
      x: input([2, 12, 12, 1], 1710), filter: input([3, 3, 1, 8], 1711), bias: input([8], 1712),
    }, { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 1, activation: "elu" });
  });
});

interface SumCase { shape: number[]; axis: number | number[]; keepDims: boolean }

const SUM_CASES: SumCase[] = [
  { shape: [64, 42, 42, 16], axis: [0, 1, 2], keepDims: false }, // conv1's bias gradient at batch 64
  { shape: [5, 7], axis: 0, keepDims: false },
  { shape: [2, 3, 4, 6], axis: [-2, 0, 1], keepDims: true },
  { shape: [70, 3, 3], axis: [1, 0], keepDims: false }, // 3 columns: no vector part; 210 rows: partial block
  { shape: [9, 13], axis: [0], keepDims: true },
  { shape: [2, 3, 5], axis: [1], keepDims: false }, // not the leading axes: stock kernel
  { shape: [4, 6], axis: [0, 1], keepDims: false }, // every axis: stock kernel
];

describe("Sum on wasm matches cpu", () => {
  SUM_CASES.forEach((c, i) => {
    it(`[${c.shape}] axis ${JSON.stringify(c.axis)}${c.keepDims ? " keepDims" : ""}`, async () => {
      await expectSameAsCpu("Sum", { x: input(c.shape, 1800 + i) }, { axis: c.axis, keepDims: c.keepDims });
    });
  });
});

interface MeanCase extends SumCase { offset: number }

const MEAN_CASES: MeanCase[] = [
  // Batch norm's moments in dsnet (tf.moments over N, H, W, keepDims), batch 64 at 42x42,
  // smaller batches below; activations with a mean (offset) and without.
  { shape: [64, 42, 42, 16], axis: [0, 1, 2], keepDims: true, offset: 0.5 },
  { shape: [8, 21, 21, 64], axis: [0, 1, 2], keepDims: true, offset: 0 },
  { shape: [3, 11, 11, 128], axis: [0, 1, 2], keepDims: false, offset: 2 },
  { shape: [5, 6, 6, 256], axis: [2, 1, 0], keepDims: false, offset: -1 },
  { shape: [70, 3, 3], axis: [1, 0], keepDims: false, offset: 0.25 }, // 3 columns: no vector part; 210 rows: partial block
  { shape: [9, 13], axis: [0], keepDims: true, offset: 1 },
  { shape: [2, 9, 6], axis: [-2, 0], keepDims: true, offset: 0.5 }, // 6 columns: a vector and a 2-column tail
  { shape: [2, 3, 5], axis: [1], keepDims: false, offset: 0.5 }, // not the leading axes: stock kernel
  { shape: [4, 6], axis: [0, 1], keepDims: false, offset: 0.5 }, // every axis: stock kernel
  { shape: [7], axis: 0, keepDims: false, offset: 0.5 }, // rank 1: stock kernel
];

describe("Mean on wasm matches cpu", () => {
  MEAN_CASES.forEach((c, i) => {
    it(`[${c.shape}] axis ${JSON.stringify(c.axis)}${c.keepDims ? " keepDims" : ""}, values offset by ${c.offset}`, async () => {
      await expectSameAsCpu("Mean", { x: input(c.shape, 3100 + i, (v) => v + c.offset) }, { axis: c.axis, keepDims: c.keepDims });
    });
  });

  // The registered kernel must give, bit for bit, what the SIMD module's meanRows writes when
  // called directly, and not what the stock kernel (transpose, then float32 sums) gives.
  it("runs the SIMD module's meanRows for a reduction over N, H, W", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as BackendWasm;
    const kernels = trainingKernels(backend)!;
    const [rows, channels] = [16 * 21 * 21, 32];
    const x = tf.tensor(randoms(rows * channels, 3200).map((v) => v + 0.5), [16, 21, 21, channels]);
    const registered = (simd: boolean) => {
      setSimdTrainingKernels(simd);
      const mean = tf.engine().runKernel("Mean", { x }, { axis: [0, 1, 2], keepDims: true }) as tf.Tensor;
      const result = { shape: mean.shape, values: mean.dataSync() as Float32Array };
      mean.dispose();
      return result;
    };
    const simd = registered(true);
    const stock = registered(false);
    setSimdTrainingKernels(true);
    const direct = tf.zeros([channels]);
    withScratch(backend, channels * 8, (scratch) => kernels.meanRows(
      pointer(backend, x as unknown as tf.TensorInfo), rows, channels, pointer(backend, direct as unknown as tf.TensorInfo), scratch));
    expect(simd.shape).toEqual([1, 1, 1, channels]);
    expect(simd.values).toEqual(direct.dataSync());
    expect(simd.values).not.toEqual(stock.values);
    expect(relativeError(simd.values, stock.values)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, direct]);
  });
});

/** y, the batch statistics and the gradients of sum(y * w) of models' batchNormTraining. */
async function batchNormOn(backend: "wasm" | "cpu", shape: number[], seed: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1];
  // Activations well off zero, as after a convolution: the variance must not come from E[x^2] - E[x]^2.
  const x = tf.tensor(input(shape, seed, (v) => 3 + 2 * v).values, shape);
  const weights = tf.tensor(input(shape, seed + 1).values, shape);
  const gamma = tf.tensor1d(input([channels], seed + 2, (v) => 1 + 0.5 * v).values);
  const beta = tf.tensor1d(input([channels], seed + 3).values);
  const stats: tf.Tensor[] = [];
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { y, mean, variance } = batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
    stats.push(tf.keep(y.clone()), mean, variance);
    return tf.sum(tf.mul(y, weights));
  })([x, gamma, beta]);
  const out = [...stats, ...grads].map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, weights, gamma, beta, value, ...grads, ...stats]);
  return out;
}

describe("batch norm's training kernels on wasm match the ops on cpu", () => {
  const parts = ["y", "mean", "variance", "dx", "dGamma", "dBeta"];
  const cases = [
    { shape: [8, 9, 9, 16], simd: true },
    { shape: [3, 5, 7, 12], simd: true },
    { shape: [4, 6, 6, 6], simd: true }, // channels not a multiple of 4: the TypeScript loop
    { shape: [3, 5, 5, 8], simd: false },
    { shape: [10, 32], simd: true }, // after a dense layer
  ];
  cases.forEach((c, i) => {
    it(`[${c.shape}]${c.simd ? "" : ", SIMD module off"}`, async () => {
      const cpu = await batchNormOn("cpu", c.shape, 3300 + 10 * i);
      setSimdTrainingKernels(c.simd);
      try {
        await tf.setBackend("wasm");
        const before = tf.engine().state.numTensors;
        const wasm = await batchNormOn("wasm", c.shape, 3300 + 10 * i);
        expect(tf.engine().state.numTensors).toBe(before);
        parts.forEach((part, k) => {
          expect(wasm[k].length, part).toBe(cpu[k].length);
          expect(relativeError(wasm[k], cpu[k]), part).toBeLessThanOrEqual(1e-4);
        });
      } finally {
        setSimdTrainingKernels(true);
      }
    });
  });

  it("are the ones the wasm step runs (the layer takes the fused path only where both are registered)", async () => {
    await tf.setBackend("wasm");
    const x = tf.randomNormal([2, 4, 4, 8]);
    const profile = await tf.profile(() => batchNormTraining(x, tf.ones([8]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D, 1e-3).y);
    expect(profile.kernels.map((k) => k.name)).toContain(BATCH_NORM_TRAINING_KERNEL);
    await tf.setBackend("cpu");
    const cpuProfile = await tf.profile(() => batchNormTraining(tf.randomNormal([2, 4, 4, 8]), tf.ones([8]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D, 1e-3).y);
    expect(cpuProfile.kernels.map((k) => k.name)).not.toContain(BATCH_NORM_TRAINING_KERNEL);
    x.dispose();
  });
});

describe("Conv2DBackpropFilter on wasm matches cpu", () => {
  CONV_CASES.forEach((c, i) => {
    it(describeConv(c), async () => {
      const { x, filter, dy } = convShapes(c);
      await expectSameAsCpu("Conv2DBackpropFilter", { x: input(x, 10 + i), dy: input(dy, 100 + i) }, {
        strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? "NHWC", dimRoundingMode: c.dimRoundingMode, filterShape: filter,
      });
    });
  });
});

describe("Conv2DBackpropFilter of a 1x1 convolution", () => {
  const pointwise = (rows: [number, number], inChannels: number, outChannels: number, seed: number) => {
    const [batch, size] = rows;
    const x = tf.tensor(randoms(batch * size * size * inChannels, seed), [batch, size, size, inChannels]);
    const dy = tf.tensor(randoms(batch * size * size * outChannels, seed + 1), [batch, size, size, outChannels]);
    const dW = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
      strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [1, 1, inChannels, outChannels],
    }) as tf.Tensor;
    const product = tf.matMul(tf.reshape(x, [-1, inChannels]), tf.reshape(dy, [-1, outChannels]), true, false);
    const result = { shape: dW.shape, values: dW.dataSync() as Float32Array, product: product.dataSync() as Float32Array };
    tf.dispose([x, dy, dW, product]);
    return result;
  };

  it("runs the SIMD kernel for channels a multiple of 4 and filters of 8, in chunks of rows (more than one here)", async () => {
    await tf.setBackend("wasm");
    const simd = pointwise([4, 21], 32, 64, 3400);
    expect(simd.shape).toEqual([1, 1, 32, 64]);
    expect(relativeError(simd.values, simd.product)).toBeLessThanOrEqual(1e-5);
    setSimdTrainingKernels(false);
    try {
      // Off, it is x's rows transposed times dy's rows, XNNPACK's matrix product, bit for bit.
      const stock = pointwise([4, 21], 32, 64, 3400);
      expect(stock.values).toEqual(stock.product);
      expect(simd.values).not.toEqual(stock.values);
    } finally {
      setSimdTrainingKernels(true);
    }
  });

  it("takes the matrix product for other channel counts", async () => {
    await tf.setBackend("wasm");
    const other = pointwise([2, 5], 20, 12, 3410);
    expect(other.values).toEqual(other.product);
  });
});

describe("Conv2DBackpropInput on wasm matches cpu", () => {
  CONV_CASES.forEach((c, i) => {
    it(describeConv(c), async () => {
      const { x, filter, dy } = convShapes(c);
      await expectSameAsCpu("Conv2DBackpropInput", { dy: input(dy, 200 + i), filter: input(filter, 300 + i) }, {
        strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? "NHWC", dimRoundingMode: c.dimRoundingMode, inputShape: x,
      });
    });
  });
});

interface DepthwiseCase {
  batch: number; height: number; width: number; channels: number; multiplier: number;
  kernel: [number, number]; strides: number | [number, number]; pad: Pad;
}

const DEPTHWISE_CASES: DepthwiseCase[] = [
  { batch: 1, height: 7, width: 7, channels: 1, multiplier: 1, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 2, height: 9, width: 11, channels: 3, multiplier: 2, kernel: [3, 3], strides: 1, pad: "valid" },
  { batch: 3, height: 13, width: 13, channels: 32, multiplier: 1, kernel: [3, 3], strides: 2, pad: "same" },
  { batch: 2, height: 15, width: 12, channels: 8, multiplier: 3, kernel: [5, 5], strides: 2, pad: "valid" },
  { batch: 1, height: 21, width: 21, channels: 16, multiplier: 1, kernel: [4, 4], strides: 4, pad: "same" },
  { batch: 2, height: 10, width: 9, channels: 5, multiplier: 2, kernel: [2, 3], strides: [2, 1], pad: "same" },
  { batch: 2, height: 8, width: 8, channels: 4, multiplier: 1, kernel: [3, 3], strides: 1, pad: 1 },
  // Multiplier 1, channels a multiple of 4: the SIMD kernels (16 channels at a time, then 4).
  // dsnet's layers (3x3, stride 1, SAME) at its sizes 42, 21, 11, 6 with a smaller batch.
  { batch: 2, height: 42, width: 42, channels: 16, multiplier: 1, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 3, height: 21, width: 21, channels: 32, multiplier: 1, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 4, height: 11, width: 11, channels: 64, multiplier: 1, kernel: [3, 3], strides: 1, pad: "same" },
  { batch: 2, height: 6, width: 6, channels: 128, multiplier: 1, kernel: [3, 3], strides: 1, pad: "same" },
  // Stride 2 on odd and even sides (SAME pads 0 or 1 before), VALID, channel tails (4, 8, 12, 20).
  { batch: 3, height: 21, width: 21, channels: 20, multiplier: 1, kernel: [3, 3], strides: 2, pad: "same" },
  { batch: 2, height: 12, width: 10, channels: 12, multiplier: 1, kernel: [3, 3], strides: 2, pad: "same" },
  { batch: 2, height: 11, width: 11, channels: 8, multiplier: 1, kernel: [3, 3], strides: 2, pad: "valid" },
  { batch: 1, height: 11, width: 9, channels: 4, multiplier: 1, kernel: [3, 3], strides: 1, pad: "valid" },
  // Other kernels and strides: 5x5, 2x4, 1x1, 4x4 stride 4, strides [1, 2], kernel wider than the image.
  { batch: 2, height: 13, width: 11, channels: 16, multiplier: 1, kernel: [5, 5], strides: 1, pad: "same" },
  { batch: 2, height: 9, width: 14, channels: 24, multiplier: 1, kernel: [2, 4], strides: [1, 2], pad: "same" },
  { batch: 2, height: 7, width: 5, channels: 8, multiplier: 1, kernel: [1, 1], strides: 2, pad: "valid" },
  { batch: 1, height: 17, width: 19, channels: 16, multiplier: 1, kernel: [4, 4], strides: 4, pad: "valid" },
  { batch: 2, height: 4, width: 5, channels: 4, multiplier: 1, kernel: [7, 7], strides: 1, pad: "same" },
  // Explicit padding wider than the kernel on one side, none on the other.
  { batch: 2, height: 9, width: 8, channels: 12, multiplier: 1, kernel: [3, 3], strides: 2, pad: 2 },
  { batch: 2, height: 8, width: 7, channels: 36, multiplier: 1, kernel: [3, 3], strides: 1, pad: [[0, 0], [4, 0], [0, 3], [0, 0]] },
];

describe("depthwise backprops on wasm match cpu", () => {
  DEPTHWISE_CASES.forEach((c, i) => {
    const x: Shape4 = [c.batch, c.height, c.width, c.channels];
    const filter: Shape4 = [c.kernel[0], c.kernel[1], c.channels, c.multiplier];
    const label = `[${x}] ${c.kernel.join("x")}x${c.multiplier} stride ${c.strides} pad ${c.pad}`;
    const dy = () => tf.backend_util.computeConv2DInfo(x, filter, c.strides, 1, c.pad, undefined, true).outShape;
    it(`DepthwiseConv2dNativeBackpropFilter ${label}`, async () => {
      await expectSameAsCpu("DepthwiseConv2dNativeBackpropFilter", { x: input(x, 400 + i), dy: input(dy(), 500 + i) }, {
        strides: c.strides, dilations: 1, pad: c.pad, filterShape: filter,
      });
    });
    it(`DepthwiseConv2dNativeBackpropInput ${label}`, async () => {
      await expectSameAsCpu("DepthwiseConv2dNativeBackpropInput", { dy: input(dy(), 600 + i), filter: input(filter, 700 + i) }, {
        strides: c.strides, dilations: 1, pad: c.pad, inputShape: x,
      });
    });
  });

  it("reject dilations, which tfjs's own gradient does not support either", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 9, 9, 2]);
    const dy = tf.zeros([1, 5, 5, 2]);
    expect(() => tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, {
      strides: 1, dilations: 2, pad: "valid", filterShape: [3, 3, 2, 1],
    })).toThrow(/dilation 1 only/);
    tf.dispose([x, dy]);
  });

  // dsnet's third layer, small batch: the registered kernels must give, bit for bit, what the
  // SIMD module's exports write when called directly, and not what the float64 TS loop gives.
  it("run the SIMD kernels for multiplier 1 and channels a multiple of 4", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as BackendWasm;
    const kernels = trainingKernels(backend)!;
    expect(kernels).toBeDefined();
    const [batch, size, channels] = [3, 11, 64];
    const x = tf.tensor(randoms(batch * size * size * channels, 3000), [batch, size, size, channels]);
    const dy = tf.tensor(randoms(batch * size * size * channels, 3001), [batch, size, size, channels]);
    const w = tf.tensor(randoms(9 * channels, 3002), [3, 3, channels, 1]);
    const filterAttrs = { strides: 1, dilations: 1, pad: "same", filterShape: [3, 3, channels, 1] };
    const inputAttrs = { strides: 1, dilations: 1, pad: "same", inputShape: [batch, size, size, channels] };
    const registered = (simd: boolean) => {
      setSimdTrainingKernels(simd);
      const dw = tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, filterAttrs) as tf.Tensor;
      const dx = tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: w }, inputAttrs) as tf.Tensor;
      const result = { dw: dw.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
      tf.dispose([dw, dx]);
      return result;
    };
    const simd = registered(true);
    const loop = registered(false);
    setSimdTrainingKernels(true);

    const at = (t: tf.Tensor) => pointer(backend, t as unknown as tf.TensorInfo);
    const dw = tf.zeros([3, 3, channels, 1]);
    const dx = tf.zeros([batch, size, size, channels]);
    withScratch(backend, 9 * channels * 8, (scratch) =>
      kernels.depthwiseFilter(at(x), at(dy), batch, size, size, channels, 3, 3, 1, 1, 1, 1, size, size, at(dw), scratch));
    kernels.depthwiseInput(at(dy), at(w), batch, size, size, channels, 3, 3, 1, 1, 1, 1, size, size, at(dx));
    expect(simd.dw).toEqual(dw.dataSync());
    expect(simd.dx).toEqual(dx.dataSync());
    expect(simd.dw).not.toEqual(loop.dw); // float32 row sums vs float64 throughout
    expect(simd.dx).not.toEqual(loop.dx);
    expect(relativeError(simd.dw, loop.dw)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(simd.dx, loop.dx)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, dy, w, dw, dx]);
  });
});

interface AddCase { a: number[]; b: number[] }

const ADD_CASES: AddCase[] = [
  { a: [3, 42, 42, 16], b: [16] }, // conv1's bias add (SIMD)
  { a: [8], b: [5, 8] }, // bias first (SIMD, swapped)
  { a: [2, 3, 12], b: [12] },
  { a: [4, 6], b: [6] }, // 6 channels: stock kernel
  { a: [2, 5, 4], b: [2, 5, 4] }, // no broadcast: stock kernel
  { a: [2, 1, 4], b: [3, 4] }, // another broadcast: stock kernel
];

describe("Add on wasm matches cpu", () => {
  ADD_CASES.forEach((c, i) => {
    it(`[${c.a}] + [${c.b}]`, async () => {
      await expectSameAsCpu("Add", { a: input(c.a, 1900 + i), b: input(c.b, 1950 + i) }, {});
    });
  });
});

describe("Cast on wasm", () => {
  it("shares the data when the type does not change", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor(randoms(12, 8), [3, 4]);
    const ids = backend.numDataIds();
    const same = tf.cast(x, "float32");
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
    expect(same.dataSync()).toEqual(tf.tensor(randoms(12, 8)).dataSync());
    same.dispose();
  });

  it("still converts between types", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor([1.7, -2.2, 0, 3.9], [4]);
    const ints = tf.cast(x, "int32");
    expect(ints.dtype).toBe("int32");
    expect([...ints.dataSync()]).toEqual([1, -2, 0, 3]);
    expect(ints.dataId).not.toBe(x.dataId); // a new buffer
    tf.dispose([x, ints]);
  });
});

describe("Identity on wasm", () => {
  it("shares the input's data and outlives the input", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as BackendWasm & { numDataIds(): number };
    const x = tf.tensor(randoms(64, 7), [4, 16]);
    const expected = x.dataSync().slice();
    const ids = backend.numDataIds();
    const y = tf.engine().runKernel("Identity", { x }, {}) as tf.Tensor;
    expect(backend.numDataIds()).toBe(ids); // no copy
    x.dispose();
    expect(y.dataSync()).toEqual(expected);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids - 1);
  });
});

interface PoolCase { shape: Shape4; filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; values: string }

const POOL_CASES: PoolCase[] = [
  { shape: [2, 84, 84, 1], filterSize: 2, strides: 2, pad: "same", values: "uniform" },
  { shape: [3, 42, 42, 16], filterSize: 2, strides: 2, pad: "same", values: "uniform" },
  { shape: [2, 11, 11, 32], filterSize: 2, strides: 2, pad: "same", values: "uniform" },
  { shape: [1, 9, 7, 3], filterSize: 2, strides: 2, pad: "valid", values: "uniform" },
  { shape: [2, 13, 13, 5], filterSize: 3, strides: 2, pad: "same", values: "uniform" },
  { shape: [1, 10, 12, 8], filterSize: 3, strides: 1, pad: "same", values: "uniform" },
  { shape: [2, 17, 15, 4], filterSize: [3, 2], strides: [2, 3], pad: "valid", values: "uniform" },
  { shape: [2, 16, 16, 6], filterSize: 4, strides: 4, pad: "same", values: "uniform" },
  // All-negative windows (the stock wasm kernel drops their gradient) and ties (ReLU zeros).
  { shape: [2, 11, 11, 8], filterSize: 2, strides: 2, pad: "same", values: "negative" },
  { shape: [2, 12, 12, 8], filterSize: 3, strides: 2, pad: "same", values: "relu" },
  { shape: [1, 9, 9, 4], filterSize: 2, strides: 2, pad: "valid", values: "coarse" },
  { shape: [2, 10, 10, 6], filterSize: 2, strides: 2, pad: "same", values: "special" },
  { shape: [2, 11, 11, 6], filterSize: 3, strides: 2, pad: "same", values: "special" },
  // 2x2 windows, stride 2, channels a multiple of 4 (the SIMD kernel): tiling, odd sides with
  // SAME (one-row/one-column windows) and VALID (rows/columns in no window).
  { shape: [2, 10, 12, 8], filterSize: 2, strides: 2, pad: "valid", values: "special" },
  { shape: [3, 11, 11, 32], filterSize: 2, strides: 2, pad: "same", values: "uniform" },
  { shape: [2, 9, 10, 4], filterSize: 2, strides: 2, pad: "same", values: "special" },
  { shape: [2, 10, 7, 8], filterSize: 2, strides: 2, pad: "same", values: "negative" },
  { shape: [2, 9, 9, 4], filterSize: 2, strides: 2, pad: "valid", values: "uniform" },
  { shape: [1, 5, 8, 4], filterSize: 2, strides: 2, pad: "valid", values: "special" },
  { shape: [3, 6, 4, 4], filterSize: 2, strides: 2, pad: "same", values: "negative" },
  { shape: [2, 8, 8, 12], filterSize: 2, strides: 2, pad: "same", values: "relu" },
  { shape: [1, 4, 6, 16], filterSize: 2, strides: 2, pad: "valid", values: "coarse" },
];

const POOL_VALUES: Record<string, (v: number) => number> = {
  uniform: (v) => v,
  negative: (v) => -Math.abs(v) - 0.01,
  relu: (v) => Math.max(0, v),
  coarse: (v) => Math.round(v * 2) / 2,
  special: (v) => (v < -0.7 ? Number.NaN : v < -0.4 ? -Infinity : v), // NaN never wins, nor does -infinity
};

describe("MaxPool on wasm matches cpu", () => {
  POOL_CASES.forEach((c, i) => {
    if (c.values === "special") return; // below: infinities defeat the relative error
    it(`[${c.shape}] window ${c.filterSize} stride ${c.strides} pad ${c.pad}, ${c.values} values`, async () => {
      await expectSameAsCpu("MaxPool", { x: input(c.shape, 2000 + i, POOL_VALUES[c.values]) }, {
        filterSize: c.filterSize, strides: c.strides, pad: c.pad,
      });
    });
  });

  it("lets no NaN win, as cpu does (2x2 windows, 4 channels)", async () => {
    const x = input([2, 6, 8, 4], 2100, POOL_VALUES.special);
    x.values.fill(Number.NaN, 0, 4); // NaN first in a window
    x.values.fill(Number.NaN, 4 * 8, 4 * 8 + 4);
    x.values.fill(Number.NaN, 4, 8);
    x.values.fill(-Infinity, 4 * 9, 4 * 9 + 4); // one window of NaN and -infinity only
    const attrs = { filterSize: 2, strides: 2, pad: "valid" };
    const cpu = await runOn("cpu", "MaxPool", { x }, attrs);
    const wasm = await runOn("wasm", "MaxPool", { x }, attrs);
    expect(cpu.values.slice(0, 4)).toEqual(new Float32Array(4).fill(-Infinity));
    expect(wasm.values).toEqual(cpu.values);
  });
});

describe("MaxPoolGrad on wasm matches cpu", () => {
  POOL_CASES.forEach((c, i) => {
    it(`[${c.shape}] window ${c.filterSize} stride ${c.strides} pad ${c.pad}, ${c.values} values`, async () => {
      const x = input(c.shape, 800 + i, POOL_VALUES[c.values]);
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      await tf.setBackend("cpu");
      const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x.values, x.shape as Shape4), c.filterSize, c.strides, c.pad));
      const pooled = { shape: y.shape, values: y.dataSync() as Float32Array };
      y.dispose();
      await expectSameAsCpu("MaxPoolGrad", { dy: input(pooled.shape, 900 + i), input: x, output: pooled }, attrs);
    });
  });
});

interface MatMulCase { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }

const MATMUL_CASES: MatMulCase[] = [
  { a: [64, 1152], b: [1152, 48], transposeA: false, transposeB: false },
  { a: [64, 48], b: [1152, 48], transposeA: false, transposeB: true }, // dense layer: dx = dy W^T
  { a: [64, 1152], b: [64, 48], transposeA: true, transposeB: false }, // dense layer: dW = x^T dy
  { a: [13, 7], b: [5, 13], transposeA: true, transposeB: true },
  { a: [1, 9], b: [3, 9], transposeA: false, transposeB: true },
  { a: [2, 5, 7], b: [2, 5, 3], transposeA: true, transposeB: false },
  { a: [3, 4, 6], b: [3, 5, 6], transposeA: false, transposeB: true },
  { a: [2, 6, 4], b: [2, 5, 6], transposeA: true, transposeB: true },
];

describe("BatchMatMul on wasm matches cpu", () => {
  MATMUL_CASES.forEach((c, i) => {
    it(`[${c.a}]${c.transposeA ? "^T" : ""} x [${c.b}]${c.transposeB ? "^T" : ""}`, async () => {
      await expectSameAsCpu("BatchMatMul", { a: input(c.a, 1000 + i), b: input(c.b, 1100 + i) }, {
        transposeA: c.transposeA, transposeB: c.transposeB,
      });
    });
  });
});

describe("kernels release their intermediates", () => {
  it("leaves no wasm tensors behind", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(randoms(2 * 15 * 15 * 3, 1), [2, 15, 15, 3]);
    const w = tf.tensor(randoms(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const before = tf.memory().numTensors;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const idsBefore = backend.numDataIds();
    const loss = (xs: tf.Tensor, ws: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 2, "same")));
    const grads = tf.grads(loss)([x, w]);
    tf.dispose(grads);
    const dy = tf.ones([2, 4, 8, 8]);
    const nchw = tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
      strides: 2, pad: "same", dataFormat: "NCHW", inputShape: [2, 3, 15, 15],
    }) as tf.Tensor;
    tf.dispose([nchw, dy]);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(idsBefore);
    tf.dispose([x, w]);
  });
});
