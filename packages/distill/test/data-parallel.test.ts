// Data-parallel training through the BUILT package (the gradient worker is
// dist/gradient-worker.js): two threads give one thread's weights up to float rounding.
import { describe, expect, it } from "vitest";
import type { TrainConfig } from "../dist/index.js";
import { selectBackend, trainStudent } from "../dist/index.js";
import { tinyCropSet } from "./helpers.js";

const data = tinyCropSet(24, 3, 4);
const config: TrainConfig = { architecture: "microexpnet", epochs: 2, seed: 3, batchSize: 8, learningRate: 1e-3, dropout: 0, augment: {}, sampling: "one-per-face" };

async function weights(threads: number): Promise<{ values: Float32Array[]; losses: number[] }> {
  const result = await trainStudent(data, { ...config, epochs: 6 }, { threads, backend: "wasm" });
  const values = await Promise.all(result.model.trainableWeights.map((w) => w.read().data() as Promise<Float32Array>));
  result.model.dispose();
  return { values, losses: result.history.map((h) => h.loss) };
}

describe("data-parallel training", () => {
  it("gives one thread's weights up to float rounding with 2 and 3 threads", async () => {
    await selectBackend("wasm");
    const one = await weights(1);
    for (const threads of [2, 3]) {
      const many = await weights(threads);
      many.losses.forEach((loss, i) => expect(Math.abs(loss - one.losses[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(one.losses[i]))));
      many.values.forEach((values, i) => {
        let worst = 0;
        let scale = 0;
        values.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - one.values[i][j]));
          scale = Math.max(scale, Math.abs(one.values[i][j]));
        });
        expect(worst).toBeLessThan(1e-4 * Math.max(1, scale));
      });
    }
  });

  it("stops when aborted while a worker still holds a share of the next step", async () => {
    await selectBackend("wasm");
    const controller = new AbortController();
    let lastStep = 0;
    // 24 faces in batches of 8: 3 steps an epoch. Step 3's share went to the worker at the
    // start of step 2, so the pool closes on a worker that has work; the run must still end.
    const result = await trainStudent(data, config, {
      threads: 2, backend: "wasm", signal: controller.signal,
      onProgress: (p) => {
        lastStep = p.step;
        if (p.step === 2) controller.abort();
      },
    });
    expect(lastStep).toBe(2);
    expect(result.epochsRun).toBe(0);
    result.model.dispose();
  });
});
