// A few real training steps of the MicroExpNet-like net (conv 8x8/16 s2 + relu, max-pool,
// conv 4x4/32 s2 + relu, max-pool, dense 1152->48 relu, dropout, dense 48->8; softmax
// cross-entropy; Adam) on wasm with this package's kernels and on cpu, from the same
// weights, data and dropout mask: the gradients, the losses and the updated weights agree.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import { uniformFloats } from "../../../test-support/random.js";

const BATCH = 4;
const STEPS = 3;
const LEARNING_RATE = 1e-3;

/** Deterministic uniform floats in [lo, hi). */
const uniform = uniformFloats;

const SHAPES: Record<string, number[]> = {
  wc1: [8, 8, 1, 16], bc1: [16], wc2: [4, 4, 16, 32], bc2: [32], wfc: [1152, 48], bfc: [48], wo: [48, 8], bo: [8],
};

/** Glorot-uniform weights and small biases, as plain arrays so both backends start equal. */
function initialWeights(): Record<string, Float32Array> {
  const weights: Record<string, Float32Array> = {};
  Object.entries(SHAPES).forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) {
      weights[name] = uniform(size, 50 + i, -0.05, 0.05);
    } else {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (shape[shape.length - 2] + shape[shape.length - 1])));
      weights[name] = uniform(size, 50 + i, -limit, limit);
    }
  });
  return weights;
}

interface Batch { x: Float32Array; labels: Float32Array; keep: Float32Array }

function batch(step: number): Batch {
  const x = uniform(BATCH * 84 * 84, 1000 + step, 0, 255); // raw 0..255 grey levels, as in the paper
  const labels = new Float32Array(BATCH * 8);
  for (let i = 0; i < BATCH; i++) labels[i * 8 + ((i * 3 + step) % 8)] = 1;
  // A fixed dropout mask (keep-prob 0.5, scaled by 2) so both backends drop the same units.
  const keep = uniform(BATCH * 48, 2000 + step, 0, 1).map((u) => (u < 0.5 ? 2 : 0));
  return { x, labels, keep };
}

function loss(v: Record<string, tf.Variable>, b: { x: tf.Tensor4D; labels: tf.Tensor2D; keep: tf.Tensor2D }): tf.Scalar {
  const c1 = tf.fused.conv2d({ x: b.x, filter: v.wc1 as tf.Tensor4D, strides: 2, pad: "same", bias: v.bc1, activation: "relu" });
  const p1 = tf.maxPool(c1, 2, 2, "same");
  const c2 = tf.fused.conv2d({ x: p1, filter: v.wc2 as tf.Tensor4D, strides: 2, pad: "same", bias: v.bc2, activation: "relu" });
  const p2 = tf.maxPool(c2, 2, 2, "same");
  const flat = tf.reshape(p2, [BATCH, 1152]);
  const fc = tf.fused.matMul({ a: flat, b: v.wfc as tf.Tensor2D, bias: v.bfc, activation: "relu" });
  const dropped = tf.mul(fc, b.keep);
  const logits = tf.fused.matMul({ a: dropped as tf.Tensor2D, b: v.wo as tf.Tensor2D, bias: v.bo });
  return tf.losses.softmaxCrossEntropy(b.labels, logits) as tf.Scalar;
}

interface Run { losses: number[]; firstGrads: Record<string, Float32Array>; weights: Record<string, Float32Array> }

async function train(backend: "wasm" | "cpu", start: Record<string, Float32Array>): Promise<Run> {
  await tf.setBackend(backend);
  const vars: Record<string, tf.Variable> = {};
  for (const [name, values] of Object.entries(start)) vars[name] = tf.variable(tf.tensor(values, SHAPES[name]), true, `${backend}-${name}`);
  const optimizer = tf.train.adam(LEARNING_RATE);
  const losses: number[] = [];
  const firstGrads: Record<string, Float32Array> = {};
  for (let step = 0; step < STEPS; step++) {
    const data = batch(step);
    const b = {
      x: tf.tensor4d(data.x, [BATCH, 84, 84, 1]),
      labels: tf.tensor2d(data.labels, [BATCH, 8]),
      keep: tf.tensor2d(data.keep, [BATCH, 48]),
    };
    const { value, grads } = tf.variableGrads(() => loss(vars, b), Object.values(vars));
    losses.push(value.dataSync()[0]);
    if (step === 0) for (const [name, g] of Object.entries(grads)) firstGrads[name.slice(backend.length + 1)] = g.dataSync() as Float32Array;
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose([value, ...Object.values(grads), b.x, b.labels, b.keep]);
  }
  const weights: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(vars)) weights[name] = v.dataSync() as Float32Array;
  tf.dispose([...Object.values(vars)]);
  optimizer.dispose();
  return { losses, firstGrads, weights };
}

function maxAbs(values: Float32Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("MicroExpNet-like training on wasm", () => {
  const start = initialWeights();
  let wasm: Run;
  let cpu: Run;

  beforeAll(async () => {
    expect((await selectBackend("wasm")).customKernels).toBe(true);
    wasm = await train("wasm", start);
    cpu = await train("cpu", start);
  });

  it("computes the same gradients as cpu", () => {
    for (const name of Object.keys(SHAPES)) {
      const reference = cpu.firstGrads[name];
      expect(maxAbs(reference), name).toBeGreaterThan(0);
      expect(maxAbsDiff(wasm.firstGrads[name], reference) / maxAbs(reference), name).toBeLessThanOrEqual(1e-4);
    }
  });

  it("gives the same loss at every step", () => {
    expect(wasm.losses).toHaveLength(STEPS);
    wasm.losses.forEach((l, step) => {
      expect(Number.isFinite(l)).toBe(true);
      expect(Math.abs(l - cpu.losses[step]) / Math.abs(cpu.losses[step]), `step ${step}`).toBeLessThanOrEqual(1e-4);
    });
  });

  it("updates the weights the same way", () => {
    for (const name of Object.keys(SHAPES)) {
      const moved = maxAbsDiff(cpu.weights[name], start[name]);
      expect(moved, name).toBeGreaterThan(LEARNING_RATE); // Adam moved them by about lr per step
      // The two runs' updates agree to 1% of the update itself (Adam divides by |g|, so
      // gradients at rounding-noise level may step differently; they are rare).
      expect(maxAbsDiff(wasm.weights[name], cpu.weights[name]) / moved, name).toBeLessThanOrEqual(1e-2);
    }
  });
});
