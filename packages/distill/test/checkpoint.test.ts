// Training checkpoints survive a round trip exactly, and a damaged file is a clear error that
// names the file, never silently ignored.
import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CheckpointState } from "../src/checkpoint.js";
import { CheckpointError, readCheckpoint, writeCheckpoint } from "../src/checkpoint.js";
import { tempDir } from "./helpers.js";

const temp = tempDir("checkpoint");
afterAll(() => temp.remove());

const state: CheckpointState = {
  configKey: "{\"architecture\":\"p12-XXS\"}",
  epoch: 3,
  rngState: 123456789,
  history: [{ epoch: 1, loss: 2.5 }, { epoch: 2, loss: 1.25 }, { epoch: 3, loss: 0.75 }],
  model: [
    { name: "conv1/kernel", shape: [2, 2, 1, 2], values: new Float32Array([1, -2, 3.5, 1e-30, -0, 7, 8, 9]) },
    { name: "conv1/bias", shape: [2], values: new Float32Array([0.1, -0.2]) },
  ],
  optimizer: [
    { name: "iter", shape: [], values: new Float32Array([42]) },
    { name: "conv1/kernel/m", shape: [2, 2, 1, 2], values: new Float32Array(8).fill(0.5) },
  ],
  best: [{ name: "conv1/bias", shape: [2], values: new Float32Array([0.3, -0.4]) }],
  trainer: { adamStep: 42, badEpochs: 1 },
};

function written(name: string): string {
  const path = join(temp.dir, name);
  writeCheckpoint(path, state);
  return path;
}

describe("checkpoints", () => {
  it("round-trip every field and value exactly", () => {
    const path = written("round-trip.ckpt");
    const back = readCheckpoint(path)!;
    expect(back.configKey).toBe(state.configKey);
    expect(back.epoch).toBe(3);
    expect(back.rngState).toBe(123456789);
    expect(back.history).toEqual(state.history);
    expect(back.model.map((t) => [t.name, t.shape])).toEqual(state.model.map((t) => [t.name, t.shape]));
    back.model.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(state.model[i].values)));
    back.optimizer.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(state.optimizer[i].values)));
    back.best.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(state.best[i].values)));
    expect(back.trainer).toEqual(state.trainer);
    // Written to a temporary name and renamed: nothing else is left in the folder.
    expect(readdirSync(temp.dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("returns undefined when there is no checkpoint", () => {
    expect(readCheckpoint(join(temp.dir, "absent.ckpt"))).toBeUndefined();
  });

  it("names the file and the problem when it is truncated", () => {
    const path = written("truncated.ckpt");
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(() => readCheckpoint(path)).toThrow(CheckpointError);
    expect(() => readCheckpoint(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: truncated at tensor`));
    writeFileSync(path, bytes.subarray(0, 20));
    expect(() => readCheckpoint(path)).toThrow(/truncated.ckpt: truncated header/);
  });

  it("names the file and the problem when it is not a checkpoint or is corrupt", () => {
    const path = join(temp.dir, "garbage.ckpt");
    writeFileSync(path, "this is not a checkpoint at all");
    expect(() => readCheckpoint(path)).toThrow(/garbage.ckpt: not a microexp training checkpoint \(bad magic\)/);

    const corrupt = written("corrupt.ckpt");
    const bytes = readFileSync(corrupt);
    bytes.write("#", 13, "latin1"); // break the JSON header
    writeFileSync(corrupt, bytes);
    expect(() => readCheckpoint(corrupt)).toThrow(/corrupt.ckpt: corrupt header/);

    const nan = written("nan.ckpt");
    const nanBytes = readFileSync(nan);
    nanBytes.writeFloatLE(Number.NaN, nanBytes.length - 4);
    writeFileSync(nan, nanBytes);
    expect(() => readCheckpoint(nan)).toThrow(/nan.ckpt: tensor conv1\/bias holds non-finite values/);

    const longer = written("longer.ckpt");
    writeFileSync(longer, Buffer.concat([readFileSync(longer), Buffer.alloc(8)]));
    expect(() => readCheckpoint(longer)).toThrow(/longer.ckpt: 8 unexpected trailing bytes/);
    expect(existsSync(longer)).toBe(true); // a damaged checkpoint is reported, never deleted
  });
});
