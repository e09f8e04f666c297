// The KD loss of the paper against hand computations:
//   L = lambda * CE(softmax(z_t / T), softmax(z_s / T)) + (1 - lambda) * CE(y, softmax(z_s)).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { distillationLoss, labelLoss } from "../src/losses.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function lossOf(student: number[][], teacher: number[][], labels: number[], options: Parameters<typeof distillationLoss>[3]): number {
  return tf.tidy(() => distillationLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(labels, "int32"), options).dataSync()[0]);
}

describe("labelLoss", () => {
  it("is -log softmax(z)[y], averaged over the batch", () => {
    // Row 1: logits (0, ln 3) give softmax (1/4, 3/4); label 1 costs ln(4/3).
    // Row 2: equal logits over 2 classes cost ln 2 whatever the label.
    const value = tf.tidy(() => labelLoss(tf.tensor2d([[0, Math.log(3)], [5, 5]]), tf.tensor1d([1, 0], "int32")).dataSync()[0]);
    expect(value).toBeCloseTo((Math.log(4 / 3) + Math.log(2)) / 2, 6);
  });
});

describe("distillationLoss", () => {
  // Student logits (0, ln 3) at T = 2 give softmax (1, sqrt 3) / (1 + sqrt 3); a teacher with equal
  // logits gives (1/2, 1/2). Soft term: -1/2 ln(1 / (1 + sqrt 3)) - 1/2 ln(sqrt 3 / (1 + sqrt 3))
  // = ln(1 + sqrt 3) - ln(3) / 4. Hard term for label 1: -ln(3/4) = ln(4/3).
  const student = [[0, Math.log(3)]];
  const teacher = [[4, 4]];
  const soft = Math.log(1 + Math.sqrt(3)) - Math.log(3) / 4;
  const hard = Math.log(4 / 3);

  it("matches the hand computation with the paper's defaults (no T^2)", () => {
    expect(lossOf(student, teacher, [1], { temperature: 2, lambda: 0.5 })).toBeCloseTo(0.5 * soft + 0.5 * hard, 6);
    expect(lossOf(student, teacher, [1], { temperature: 2, lambda: 0.25 })).toBeCloseTo(0.25 * soft + 0.75 * hard, 6);
  });

  it("multiplies the soft term by T^2 when asked", () => {
    const value = lossOf(student, teacher, [1], { temperature: 2, lambda: 0.5, scaleByTemperatureSquared: true });
    expect(value).toBeCloseTo(0.5 * 4 * soft + 0.5 * hard, 6);
  });

  it("is the label cross-entropy alone at lambda 0 (the teacher does not matter)", () => {
    const a = lossOf(student, teacher, [1], { temperature: 2, lambda: 0 });
    const b = lossOf(student, [[-3, 9]], [1], { temperature: 2, lambda: 0 });
    expect(a).toBeCloseTo(hard, 6);
    expect(b).toBeCloseTo(hard, 6);
  });

  it("is the soft term alone at lambda 1 (the labels do not matter)", () => {
    expect(lossOf(student, teacher, [1], { temperature: 2, lambda: 1 })).toBeCloseTo(soft, 6);
    expect(lossOf(student, teacher, [0], { temperature: 2, lambda: 1 })).toBeCloseTo(soft, 6);
  });

  it("gives log(classes) for a uniform student, at any temperature and lambda", () => {
    const uniformStudent = [[0, 0, 0, 0], [1, 1, 1, 1]];
    const someTeacher = [[9, 1, 0, -2], [0, 3, 3, 1]];
    for (const temperature of [1, 8, 64]) {
      for (const lambda of [0, 0.5, 1]) {
        expect(lossOf(uniformStudent, someTeacher, [2, 0], { temperature, lambda })).toBeCloseTo(Math.log(4), 6);
      }
    }
  });

  it("averages over the batch", () => {
    const one = lossOf([[1, 2, 0.5]], [[2, 0, 1]], [1], { temperature: 8, lambda: 0.5 });
    const two = lossOf([[0, -1, 3]], [[1, 1, 4]], [2], { temperature: 8, lambda: 0.5 });
    const both = lossOf([[1, 2, 0.5], [0, -1, 3]], [[2, 0, 1], [1, 1, 4]], [1, 2], { temperature: 8, lambda: 0.5 });
    expect(both).toBeCloseTo((one + two) / 2, 6);
  });

  it("rejects a temperature <= 0 and a lambda outside [0, 1]", () => {
    expect(() => lossOf(student, teacher, [1], { temperature: 0, lambda: 0.5 })).toThrow(/temperature must be > 0/);
    expect(() => lossOf(student, teacher, [1], { temperature: 2, lambda: 1.5 })).toThrow(/lambda must be in \[0, 1\]/);
    expect(() => lossOf(student, teacher, [1], { temperature: 2, lambda: -0.1 })).toThrow(/lambda/);
  });
});
