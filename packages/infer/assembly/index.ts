// The forward pass of a MicroExpNet family member: conv1 -> [pool] -> conv2 -> [pool] ->
// flatten -> fc1 + ReLU -> fc2. The host calls configure() once, writes the packed weights at
// tensorOffset(i), then for each chunk writes images at inputOffset(), calls forward(count) and
// reads count * classes logits at logitsOffset(). All buffers live in linear memory laid out
// by configure(); nothing is allocated afterwards. The same module also carries the paper's crop
// kernels (crop.ts), which the host runs in an instance of their own.
import { convRow16 } from "./conv";
import { maxPool2x2 } from "./pool";
import { denseLogits, denseRelu1, denseRelu4 } from "./dense";
import { WINOGRAD_SCRATCH_BYTES, splitPhases, winogradConv1 } from "./conv1-winograd";
import { winogradConv2 } from "./conv2-winograd";

// The crop kernels' instance: the host lays out its memory from cropHeapStart() on.
export { grayPixels, mirrorRows, resampleTaps } from "./crop";
export function cropHeapStart(): usize {
  return align16(__heap_base);
}

// Any layer graph's ops (graph-ops.ts), run in an instance of their own whose memory the
// host lays out from graphHeapStart() on (src/wasm/graph-plan.ts).
export { addMaps, depthwise, gemm, globalAvgPool, im2col, maxPool, reluMap, rescaleMap } from "./graph-ops";
export function graphHeapStart(): usize {
  return align16(__heap_base);
}

// Shape (set by configure).
let inputSize = 0;
let kernel1 = 0, stride1 = 0, filters1 = 0, pool1 = false;
let filters2 = 0, pool2 = false;
let width1 = 0; // fc1 width padded to a multiple of 16
let classes = 0;

// Derived map sides and SAME padding (before) of each convolution.
let side1 = 0, pad1 = 0, paddedSide1 = 0; // conv1 output, its input padding, padded input side
let in2 = 0, side2 = 0, pad2 = 0, paddedSide2 = 0; // conv2 input, output, padding, padded input side
let flat = 0;
let winograd1 = false; // conv1 runs as Winograd F(3x3, 4x4) over stride phases (conv1-winograd.ts)
// conv2 (4x4, stride 2) always runs as Winograd F(3x3, 2x2) over stride phases (conv2-winograd.ts).
let tiles2 = 0, mapSide2 = 0; // its tiles per side; side of the map it writes (cropped to side2)

// Regions (byte offsets). Tensors in TENSOR_NAMES order: wc1 bc1 wc2 bc2 wfc bfc wo bo.
const TENSORS = 8;
// Static tables (memory.data: no runtime allocation; the heap is all ours).
const tensorStart = memory.data(TENSORS * 4); // u32 byte offsets
const tensorSize = memory.data(TENSORS * 4); // u32 byte sizes
let input: usize = 0, padded1: usize = 0, phases: usize = 0, winogradScratch: usize = 0, map1: usize = 0, padded2: usize = 0, map2: usize = 0;
let u2: usize = 0, m2: usize = 0, zeros: usize = 0;
let features: usize = 0, hidden: usize = 0, logits: usize = 0, scratch: usize = 0;

@inline function sameOut(size: i32, stride: i32): i32 {
  return (size + stride - 1) / stride;
}
@inline function samePadBefore(size: i32, kernel: i32, stride: i32): i32 {
  return max((sameOut(size, stride) - 1) * stride + kernel - size, 0) >> 1;
}
@inline function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/** fc1 columns per cache block when several images share the weights. */
const DENSE_BLOCK: i32 = 32;

let cursor: usize = 0;
function reserve(floats: i32): usize {
  const at = cursor;
  cursor = align16(cursor + (<usize>floats << 2));
  return at;
}

function reserveTensor(t: i32, floats: i32): void {
  store<u32>(tensorSize + (<usize>t << 2), <u32>floats << 2);
  store<u32>(tensorStart + (<usize>t << 2), <u32>reserve(floats));
}
@inline function tensorAt(t: i32): usize {
  return <usize>load<u32>(tensorStart + (<usize>t << 2));
}

/**
 * Lays out memory for one network and at most `batch` images per forward() call. Filters must
 * be multiples of 16, kernel1 a multiple of 4, and conv2 4x4 with stride 2 (true for the whole
 * family; the host checks). Returns the bytes used, or 0 if memory could not grow.
 */
export function configure(
  size: i32, k1: i32, s1: i32, f1: i32, p1: bool, k2: i32, s2: i32, f2: i32, p2: bool,
  fc1: i32, numClasses: i32, batch: i32,
): usize {
  inputSize = size; kernel1 = k1; stride1 = s1; filters1 = f1; pool1 = p1;
  filters2 = f2; pool2 = p2;
  width1 = (fc1 + 15) & ~15; classes = numClasses;

  side1 = sameOut(size, s1);
  pad1 = samePadBefore(size, k1, s1);
  paddedSide1 = max((side1 - 1) * s1 + k1, pad1 + size);
  in2 = p1 ? sameOut(side1, 2) : side1;
  side2 = sameOut(in2, s2);
  pad2 = samePadBefore(in2, k2, s2);
  tiles2 = (side2 + 2) / 3;
  mapSide2 = 3 * tiles2;
  // Whole tiles: the last ones read zeros past the padded map and write pixels that are cropped.
  paddedSide2 = max(max((side2 - 1) * s2 + k2, pad2 + in2), 6 * tiles2 + 2);
  const side3 = p2 ? sameOut(side2, 2) : side2;
  flat = side3 * side3 * f2;
  winograd1 = k1 == 8 && s1 == 2 && side1 % 3 == 0 && (paddedSide1 & 1) == 0;

  cursor = align16(__heap_base);
  reserveTensor(0, winograd1 ? 36 * 4 * f1 : k1 * k1 * f1);
  reserveTensor(1, f1);
  reserveTensor(2, 16 * 4 * f1 * f2);
  reserveTensor(3, f2);
  reserveTensor(4, flat * width1);
  reserveTensor(5, width1);
  reserveTensor(6, numClasses * width1);
  reserveTensor(7, numClasses);
  input = reserve(batch * size * size);
  padded1 = reserve(paddedSide1 * paddedSide1 + 4); // + slack: splitPhases reads 8 bytes past odd rows
  phases = winograd1 ? reserve(paddedSide1 * paddedSide1) : 0;
  winogradScratch = winograd1 ? reserve(WINOGRAD_SCRATCH_BYTES >> 2) : 0;
  map1 = p1 ? reserve(side1 * side1 * f1) : 0;
  padded2 = reserve(paddedSide2 * paddedSide2 * f1);
  map2 = reserve(mapSide2 * mapSide2 * f2);
  u2 = reserve(16 * tiles2 * tiles2 * 4 * f1);
  m2 = reserve(16 * tiles2 * tiles2 * f2);
  zeros = reserve(16);
  features = reserve(batch * flat);
  hidden = reserve(batch * width1);
  logits = reserve(batch * numClasses);
  scratch = reserve(2 * flat);

  const pagesNeeded = <i32>((cursor + 0xffff) >> 16);
  const grow = pagesNeeded - memory.size();
  if (grow > 0 && memory.grow(grow) < 0) return 0;
  // The padding borders must be zero; only the interiors are written by forward().
  memory.fill(padded1, 0, <usize>(paddedSide1 * paddedSide1) << 2);
  memory.fill(padded2, 0, <usize>(paddedSide2 * paddedSide2 * f1) << 2);
  memory.fill(zeros, 0, 64);
  return cursor;
}

/** 1 when conv1's weights are expected Winograd-transformed ([36][4][16] per 16 filters), else 0. */
export function conv1Winograd(): i32 {
  return winograd1 ? 1 : 0;
}
export function tensorOffset(t: i32): usize {
  return tensorAt(t);
}
export function tensorBytes(t: i32): usize {
  return <usize>load<u32>(tensorSize + (<usize>t << 2));
}
export function inputOffset(): usize {
  return input;
}
export function logitsOffset(): usize {
  return logits;
}

/** Runs `count` (<= batch) images from the input region into the logits region. */
export function forward(count: i32): void {
  const imageBytes = <usize>(inputSize * inputSize) << 2;
  const featureBytes = <usize>flat << 2;
  for (let b = 0; b < count; b++) {
    copyIntoPadded(input + <usize>b * imageBytes);
    convolutions(features + <usize>b * featureBytes);
  }
  const hiddenBytes = <usize>width1 << 2;
  const wfc = tensorAt(4), bfc = tensorAt(5);
  const groups = count >> 2;
  // Column blocks outside, image groups inside: a block of W (flat x 32) stays in cache for all groups.
  for (let j = 0; j < width1; j += DENSE_BLOCK) {
    const columns = min(DENSE_BLOCK, width1 - j);
    const jb = <usize>j << 2;
    for (let g = 0; g < groups; g++) {
      const b = g << 2;
      denseRelu4(features + <usize>b * featureBytes, featureBytes, flat, wfc + jb, hiddenBytes, columns,
        bfc + jb, hidden + <usize>b * hiddenBytes + jb, hiddenBytes);
    }
  }
  let b = groups << 2;
  for (; b < count; b++) {
    denseRelu1(features + <usize>b * featureBytes, flat, wfc, width1, bfc, hidden + <usize>b * hiddenBytes, scratch);
  }
  const wo = tensorAt(6), bo = tensorAt(7);
  for (b = 0; b < count; b++) {
    denseLogits(hidden + <usize>b * hiddenBytes, width1, wo, bo, classes, logits + (<usize>(b * classes) << 2));
  }
}

/** Copies one image into the interior of conv1's zero-padded input. */
function copyIntoPadded(image: usize): void {
  const rowBytes = <usize>inputSize << 2;
  const paddedRowBytes = <usize>paddedSide1 << 2;
  let dst = padded1 + <usize>pad1 * paddedRowBytes + (<usize>pad1 << 2);
  let src = image;
  for (let y = 0; y < inputSize; y++) {
    memory.copy(dst, src, rowBytes);
    dst += paddedRowBytes;
    src += rowBytes;
  }
}

/** conv1 -> [pool1] -> conv2 -> [pool2] for the image in padded1; writes the flat features. */
function convolutions(feature: usize): void {
  const wc1 = tensorAt(0), bc1 = tensorAt(1);
  const wc2 = tensorAt(2), bc2 = tensorAt(3);
  const pixel1 = <usize>filters1 << 2;
  const padded2Row = <usize>paddedSide2 * pixel1;
  const interior2 = padded2 + <usize>pad2 * padded2Row + <usize>pad2 * pixel1;

  // conv1 writes straight into conv2's padded input unless a pooling stage comes between.
  const dst1 = pool1 ? map1 : interior2;
  const dst1Row = pool1 ? <usize>side1 * pixel1 : padded2Row;
  if (winograd1) {
    const phaseSide = paddedSide1 >> 1;
    splitPhases(padded1, phaseSide, phases);
    for (let blk = 0; blk < filters1 >> 4; blk++) {
      winogradConv1(phases, phaseSide, side1 / 3, wc1 + <usize>blk * (36 * 4 * 64), bc1 + (<usize>blk << 6),
        dst1 + (<usize>blk << 6), dst1Row, pixel1, winogradScratch);
    }
  } else {
    const src1Row = <usize>paddedSide1 << 2;
    const weights1 = <usize>(kernel1 * kernel1) << 6;
    for (let oy = 0; oy < side1; oy++) {
      const src = padded1 + <usize>(oy * stride1) * src1Row;
      for (let blk = 0; blk < filters1 >> 4; blk++) {
        convRow16(src, src1Row, kernel1, kernel1, <usize>stride1 << 2, side1,
          wc1 + <usize>blk * weights1, bc1 + (<usize>blk << 6), dst1 + <usize>oy * dst1Row + (<usize>blk << 6), pixel1, true);
      }
    }
  }
  if (pool1) maxPool2x2(map1, side1, filters1, <usize>side1 * pixel1, interior2, padded2Row);

  const pixel2 = <usize>filters2 << 2;
  winogradConv2(padded2, paddedSide2, filters1, filters2, tiles2, wc2, bc2, map2, u2, m2, zeros);
  const mapRow = <usize>mapSide2 * pixel2;
  if (pool2) {
    const side3 = (side2 + 1) >> 1;
    maxPool2x2(map2, side2, filters2, mapRow, feature, <usize>side3 * pixel2);
  } else {
    for (let y = 0; y < side2; y++) memory.copy(feature + <usize>y * side2 * pixel2, map2 + <usize>y * mapRow, <usize>side2 * pixel2);
  }
}
