// The paper's crops in WebAssembly SIMD (assembly/crop.ts), computing only the pixels that are
// used (see crop-plan.ts): the source rows a crop reads are copied in and grayed, the part of
// the 256x256 face the windows read is resized once, and each 84x84 window is resized from it.
// Bit-exact with the TypeScript reference (paperPolicyCrops), which tests hold it to.
import { checkImage } from "../image/check.js";
import { clampBox } from "../image/crop.js";
import type { CropPolicy, FaceCropper } from "../image/crop-policy.js";
import { cropPolicyShape } from "../image/crop-policy.js";
import { FACE_SIZE, INPUT_SIZE, TRAINING_CROP_OFFSETS } from "../image/paper-crop.js";
import type { Box, ImageLike } from "../image/types.js";
import type { CropPlan, WindowPlan } from "./crop-plan.js";
import { TAP_INTS, planCrop, planWindows } from "./crop-plan.js";
import { compileKernel } from "./kernel-module.js";
import { wasmSimdSupported, webAssemblyApi } from "./simd-support.js";

/** The crop kernel's exports (assembly/crop.ts). Offsets are in bytes. */
interface CropExports {
  memory: WebAssembly.Memory;
  cropHeapStart(): number;
  grayPixels(src: number, channels: number, count: number, dst: number): void;
  resampleTaps(
    src: number, srcStride: number, xTaps: number, width: number, grouped: number, yTaps: number, height: number,
    dst: number, dstStride: number, floats: number, upper: number, lower: number,
  ): void;
  mirrorRows(src: number, width: number, rows: number, dst: number): void;
}

const INPUT_PIXELS = INPUT_SIZE * INPUT_SIZE;
const MAX_WINDOWS = TRAINING_CROP_OFFSETS.length;
const MAX_INPUTS = 2 * MAX_WINDOWS;
// Fixed regions (bytes): the face's and the windows' tap tables, two horizontal-pass rows, the
// face grid, the outputs.
const FACE_TABLE_BYTES = 2 * FACE_SIZE * TAP_INTS * 4;
const WINDOW_TABLE_BYTES = 2 * INPUT_SIZE * MAX_WINDOWS * TAP_INTS * 4;
const ROW_BYTES = FACE_SIZE * 4;
const GRID_BYTES = FACE_SIZE * FACE_SIZE;
const OUTPUT_BYTES = MAX_INPUTS * INPUT_PIXELS * 4;
const PAGE = 65536;
const PLAN_CACHE_LIMIT = 64;

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * A cropper running the kernels in its own instance of the runtime's WebAssembly module.
 * Resolves null where WebAssembly SIMD is unavailable (callers fall back to jsCropper).
 */
export async function createWasmCropper(): Promise<FaceCropper | null> {
  if (!wasmSimdSupported()) return null;
  let kernel: CropExports;
  try {
    const instance = await webAssemblyApi()!.instantiate(await compileKernel(), {});
    kernel = instance.exports as unknown as CropExports;
  } catch {
    return null;
  }
  const faceTables = align16(kernel.cropHeapStart());
  const windowTables = faceTables + FACE_TABLE_BYTES;
  const upper = windowTables + WINDOW_TABLE_BYTES;
  const lower = upper + ROW_BYTES;
  const grid = lower + ROW_BYTES;
  const output = grid + GRID_BYTES;
  const gray = output + OUTPUT_BYTES;

  let bytes = new Uint8Array(kernel.memory.buffer);
  const reserve = (end: number, what: string) => {
    if (end <= kernel.memory.buffer.byteLength) return;
    try {
      kernel.memory.grow(Math.ceil((end - kernel.memory.buffer.byteLength) / PAGE));
    } catch {
      throw new RangeError(`${what}: cannot grow WebAssembly memory to ${end} bytes for the crop`);
    }
    bytes = new Uint8Array(kernel.memory.buffer);
  };
  reserve(gray, "crop");

  // Window plans depend on the policy only; crop plans on the box size too (video boxes
  // change size often, so that part is small).
  const windowPlans = new Map<CropPolicy, WindowPlan>();
  const plans = new Map<string, CropPlan>();
  let writtenFace: CropPlan | undefined, writtenWindows: WindowPlan | undefined; // tables in memory now
  const planFor = (width: number, height: number, policy: CropPolicy): CropPlan => {
    const key = `${width}x${height}/${policy}`;
    let plan = plans.get(key);
    if (!plan) {
      let windows = windowPlans.get(policy);
      if (!windows) windowPlans.set(policy, (windows = planWindows(cropPolicyShape(policy).offsets)));
      if (plans.size >= PLAN_CACHE_LIMIT) plans.clear();
      plans.set(key, (plan = planCrop(width, height, windows)));
    }
    return plan;
  };

  return {
    kind: "wasm",
    cropInto(image: ImageLike, box: Box | undefined, policy: CropPolicy, into: Float32Array, at: number) {
      const channels = checkImage(image, "crop");
      const { offsets, flip, count } = cropPolicyShape(policy, "crop");
      if (at < 0 || at + count * INPUT_PIXELS > into.length) {
        throw new RangeError(`crop: ${count} inputs do not fit at ${at} in a buffer of ${into.length} floats`);
      }
      const face = clampBox(box ?? { x: 0, y: 0, width: image.width, height: image.height }, image.width, image.height, "crop");
      const plan = planFor(face.width, face.height, policy);
      const { sourceRows, colStart, colEnd, windows } = plan;
      const { gridWidth, gridHeight } = windows;
      const cols = colEnd - colStart;
      const grayBytes = align16(sourceRows.length * cols);
      // + 16: grouped taps may load up to 15 bytes past the last gray pixel.
      const source = channels === 1 ? gray : gray + grayBytes + 16; // a gray image is copied in as it is
      reserve(source + sourceRows.length * cols * channels + 16, "crop");

      if (writtenFace !== plan) {
        new Int32Array(kernel.memory.buffer, faceTables, plan.tables.length).set(plan.tables);
        writtenFace = plan;
      }
      if (writtenWindows !== windows) {
        new Int32Array(kernel.memory.buffer, windowTables, windows.tables.length).set(windows.tables);
        writtenWindows = windows;
      }
      // Only the rows and columns the crop reads are copied in (and grayed).
      const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
      const rowBytes = cols * channels;
      for (let i = 0; i < sourceRows.length; i++) {
        const from = ((face.y + sourceRows[i]) * image.width + face.x + colStart) * channels;
        bytes.set(data.subarray(from, from + rowBytes), source + i * rowBytes);
      }
      if (channels !== 1) kernel.grayPixels(source, channels, sourceRows.length * cols, gray);

      const tapBytes = TAP_INTS * 4;
      kernel.resampleTaps(
        gray, cols, faceTables, gridWidth, +plan.columnsGrouped, faceTables + gridWidth * tapBytes, gridHeight, grid, gridWidth, 0, upper, lower,
      );
      const inputBytes = INPUT_PIXELS * 4;
      offsets.forEach((_, k) => {
        const xTaps = windowTables + 2 * INPUT_SIZE * k * tapBytes;
        const dst = output + (flip ? 2 * k : k) * inputBytes;
        kernel.resampleTaps(
          grid, gridWidth, xTaps, INPUT_SIZE, +windows.columnsGrouped[k], xTaps + INPUT_SIZE * tapBytes, INPUT_SIZE, dst, INPUT_SIZE * 4, 1, upper, lower,
        );
        if (flip) kernel.mirrorRows(dst, INPUT_SIZE, INPUT_SIZE, dst + inputBytes);
      });
      into.set(new Float32Array(kernel.memory.buffer, output, count * INPUT_PIXELS), at);
    },
  };
}
