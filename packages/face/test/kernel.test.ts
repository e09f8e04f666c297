import { describe, expect, it } from "vitest";
import { integralImages } from "../src/detect/integral.js";
import { instantiateKernel, type KernelExports } from "../src/detect/kernel.js";
import { cachedAxis, resizeLinearExact } from "../src/detect/resize-exact.js";
import { randomBytes, seededRandom } from "../../../test-support/random.js";

// The WebAssembly kernel's pyramid resize, pixel by pixel, and its integral images, entry by
// entry, against the plain JavaScript ones (which the agreement tests hold to OpenCV): widths
// on both sides of the kernel's 8- and 16-pixel blocks, both layouts (plain rows; even and odd
// columns split in planes).

function kernelOrThrow(): KernelExports {
  const k = instantiateKernel();
  if (!k) throw new Error("the detector kernel needs WebAssembly SIMD, which this Node has");
  return k;
}
const kernel = kernelOrThrow();

/** Room for `bytes` after the kernel's heap base; returns where it starts. */
function reserve(bytes: number): number {
  const base = kernel.heapBase(), need = base + bytes;
  if (kernel.memory.buffer.byteLength < need) kernel.memory.grow(Math.ceil((need - kernel.memory.buffer.byteLength) / 65536));
  return base;
}

/** Where entry (x, y) lives in the kernel's layout, as wasm-scanner.ts lays it out. */
function layout(width: number, height: number, split: boolean, entryBytes: number) {
  const rowBytes = split ? Math.ceil((width + 1) / 2) * entryBytes : (width + 1) * entryBytes;
  const planeBytes = split ? (height + 1) * rowBytes : 0;
  const shift = split ? 1 : 0;
  const offset = (x: number, y: number): number => y * rowBytes + (x >> shift) * entryBytes + (x & shift) * planeBytes;
  return { rowBytes, planeBytes, shift, offset, bytes: (height + 1) * rowBytes + planeBytes + 64 };
}

function image(random: () => number, width: number, height: number): Uint8Array {
  const pixels = randomBytes(random, width * height);
  // Saturated runs: the largest sums and squares.
  for (let i = 0; i < pixels.length; i += 7) if (random() < 0.3) pixels.fill(255, i, i + 5);
  return pixels;
}

const sizes: [number, number][] = [[1, 1], [7, 3], [8, 2], [9, 4], [15, 5], [16, 6], [17, 3], [31, 2], [33, 7], [64, 9], [101, 13]];

describe("kernel integral images", () => {
  it.each(sizes)("integral (Haar sums and squares) of %ix%i equals integralImages in both layouts", (width, height) => {
    const random = seededRandom(width * 100 + height);
    const pixels = image(random, width, height);
    const sums = new Int32Array((width + 1) * (height + 1)), squares = new Int32Array(sums.length);
    integralImages(pixels, width, height, sums, squares);
    for (const split of [false, true]) {
      const l = layout(width, height, split, 4);
      const pixelBytes = (width * height + 15) & ~15;
      const base = reserve(pixelBytes + 2 * l.bytes);
      const at = { pixels: base, sums: base + pixelBytes, squares: base + pixelBytes + l.bytes };
      new Uint8Array(kernel.memory.buffer, at.pixels, pixels.length).set(pixels);
      kernel.integral(at.pixels, width, height, at.sums, at.squares, l.rowBytes, l.shift, l.planeBytes);
      const view = new DataView(kernel.memory.buffer);
      for (let y = 0; y <= height; y++) {
        for (let x = 0; x <= width; x++) {
          const i = y * (width + 1) + x, o = l.offset(x, y);
          const got = [view.getInt32(at.sums + o, true), view.getInt32(at.squares + o, true)];
          if (got[0] !== sums[i] || got[1] !== squares[i]) {
            expect.fail(`${split ? "split" : "plain"} layout, entry (${x}, ${y}): sums ${got[0]}, squares ${got[1]}; expected ${sums[i]}, ${squares[i]}`);
          }
        }
      }
    }
  });

  it.each(sizes)("integral16 (LBP sums modulo 2^16) of %ix%i equals integralImages in both layouts", (width, height) => {
    const random = seededRandom(width * 1000 + height);
    const pixels = image(random, width, height);
    const sums = new Int32Array((width + 1) * (height + 1));
    integralImages(pixels, width, height, sums);
    for (const split of [false, true]) {
      const l = layout(width, height, split, 2);
      const pixelBytes = (width * height + 15) & ~15;
      const base = reserve(pixelBytes + l.bytes);
      const at = { pixels: base, sums: base + pixelBytes };
      new Uint8Array(kernel.memory.buffer, at.pixels, pixels.length).set(pixels);
      kernel.integral16(at.pixels, width, height, at.sums, l.rowBytes, l.shift, l.planeBytes);
      const view = new DataView(kernel.memory.buffer);
      for (let y = 0; y <= height; y++) {
        for (let x = 0; x <= width; x++) {
          const got = view.getUint16(at.sums + l.offset(x, y), true), expected = sums[y * (width + 1) + x] & 0xffff;
          if (got !== expected) expect.fail(`${split ? "split" : "plain"} layout, entry (${x}, ${y}): ${got}, expected ${expected}`);
        }
      }
    }
  });
});

describe("kernel resize", () => {
  it("resizeExact equals resizeLinearExact (bit-exact with OpenCV) on 200 random sizes", () => {
    const random = seededRandom(17);
    const side = (): number => (random() < 0.1 ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 200));
    for (let t = 0; t < 200; t++) {
      const w = side(), h = side();
      let toW = side(), toH = side();
      if (t < 40) [toW, toH] = [Math.max(1, Math.round(w / 1.3 ** (t % 6))), Math.max(1, Math.round(h / 1.3 ** (t % 6)))];
      if (w === 2 * toW && h === 2 * toH) toW += 1; // OpenCV's INTER_AREA case, never in the pyramid
      const pixels = image(random, w, h);
      const expected = new Uint8Array(toW * toH);
      resizeLinearExact(pixels, w, h, expected, toW, toH);
      const cols = cachedAxis(w, toW), rows = cachedAxis(h, toH);
      const align = (n: number): number => (n + 15) & ~15;
      const src = reserve(align(w * h) + align(toW * toH) + 12 * (toW + toH) + 8 * toW + 64);
      const dst = src + align(w * h), tables = dst + align(toW * toH), rowTables = tables + 12 * toW, upper = rowTables + 12 * toH, lower = upper + 4 * toW;
      const memory = kernel.memory.buffer;
      new Uint8Array(memory, src, w * h).set(pixels);
      const table = new Int32Array(memory, tables, 3 * (toW + toH));
      table.set(cols.index, 0); table.set(cols.w0, toW); table.set(cols.w1, 2 * toW);
      table.set(rows.index, 3 * toW); table.set(rows.w0, 3 * toW + toH); table.set(rows.w1, 3 * toW + 2 * toH);
      kernel.resizeExact(src, w, h, dst, toW, toH, tables, cols.start, cols.end, rowTables, rows.start, rows.end, upper, lower);
      const got = new Uint8Array(kernel.memory.buffer, dst, toW * toH);
      const at = got.findIndex((v, i) => v !== expected[i]);
      if (at >= 0) expect.fail(`${w}x${h} -> ${toW}x${toH}: pixel ${at} is ${got[at]}, expected ${expected[at]}`);
    }
  });
});
