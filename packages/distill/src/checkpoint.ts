/**
 * Training checkpoints: the epoch reached, the random state, the loss history, the model's
 * variables and the optimizer's slots, in one file written atomically at each epoch end.
 *
 *   "MXCK" | uint32 version | uint32 header length | JSON header | float32 data (little-endian)
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { writeFileAtomic } from "@microexp/models/node";
import { recogniseAcrossCopies } from "@microexp/infer/internal";

const MAGIC = "MXCK";
/** v2 adds the best weights so far and the trainer's state; v1 files are read (and refused by the trainer). */
const VERSION = 2;

export interface SavedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface CheckpointState {
  /** Identifies the configuration; resuming under another one is refused. */
  configKey: string;
  /** Epochs completed. */
  epoch: number;
  rngState: number;
  history: Array<{ epoch: number; loss: number }>;
  model: SavedTensor[];
  optimizer: SavedTensor[];
  /** The weights of the best epoch on validation (empty when there is none). */
  best: SavedTensor[];
  /** The trainer's own state (optimizer step, schedule, selection); absent in v1 files. */
  trainer?: Record<string, unknown>;
}

type Described = Array<{ name: string; shape: number[]; count: number }>;

interface Header extends Omit<CheckpointState, "model" | "optimizer" | "best"> {
  model: Described;
  optimizer: Described;
  best?: Described;
}

export function writeCheckpoint(path: string, state: CheckpointState): void {
  const describe = (list: SavedTensor[]) => list.map((t) => ({ name: t.name, shape: t.shape, count: t.values.length }));
  const header: Header = { ...state, model: describe(state.model), optimizer: describe(state.optimizer), best: describe(state.best) };
  const json = Buffer.from(JSON.stringify(header));
  const all = [...state.model, ...state.optimizer, ...state.best];
  const dataBytes = all.reduce((sum, t) => sum + t.values.byteLength, 0);
  const out = Buffer.alloc(12 + json.length + dataBytes);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  let offset = 12 + json.length;
  for (const t of all) {
    Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).copy(out, offset);
    offset += t.values.byteLength;
  }
  writeFileAtomic(path, out);
}

export class CheckpointError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "CheckpointError";
  }
}
recogniseAcrossCopies(CheckpointError, "@microexp/distill:CheckpointError");

/** Reads a checkpoint, or returns undefined when there is none. A damaged file is an error, never ignored. */
export function readCheckpoint(path: string): CheckpointState | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const fail = (problem: string): never => {
    throw new CheckpointError(path, `${problem}; delete it to start this run over`);
  };
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== MAGIC) fail("not a microexp training checkpoint (bad magic)");
  const version = bytes.readUInt32LE(4);
  if (version !== 1 && version !== VERSION) fail(`checkpoint version ${bytes.readUInt32LE(4)} is not supported`);
  const length = bytes.readUInt32LE(8);
  if (12 + length > bytes.length) fail("truncated header");
  let header: Header;
  try {
    header = JSON.parse(bytes.toString("utf8", 12, 12 + length));
  } catch {
    return fail("corrupt header");
  }
  let offset = 12 + length;
  const take = (list: Header["model"]): SavedTensor[] =>
    list.map(({ name, shape, count }) => {
      const end = offset + count * 4;
      if (end > bytes.length) fail(`truncated at tensor ${name}`);
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end));
      if (!values.every(Number.isFinite)) fail(`tensor ${name} holds non-finite values`);
      offset = end;
      return { name, shape, values };
    });
  const model = take(header.model);
  const optimizer = take(header.optimizer);
  const best = take(header.best ?? []);
  if (offset !== bytes.length) fail(`${bytes.length - offset} unexpected trailing bytes`);
  return { ...header, model, optimizer, best };
}

/** True when the file starts like a training checkpoint (rather than, say, a weights file). */
export function isCheckpointFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.toString("latin1") === MAGIC;
  } finally {
    closeSync(fd);
  }
}
