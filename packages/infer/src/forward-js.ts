import type { ArchitectureSpec, NetworkWeights } from "./architecture.js";
import { sameOutputSize } from "./architecture.js";
import type { ForwardEngine } from "./engine.js";

/** Offset of the first input row/col a TF "SAME" window starts at (negative = padding). */
function samePadBefore(input: number, kernel: number, stride: number): number {
  const out = sameOutputSize(input, stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - input, 0) / 2);
}

/** NHWC convolution, SAME padding, bias and ReLU; weights HWIO. */
export function conv2dSameRelu(
  input: Float32Array, side: number, cin: number,
  weights: Float32Array, bias: Float32Array, kernel: number, stride: number, cout: number,
): { output: Float32Array; side: number } {
  const outSide = sameOutputSize(side, stride);
  const pad = samePadBefore(side, kernel, stride);
  const output = new Float32Array(outSide * outSide * cout);
  const acc = new Float32Array(cout);
  for (let oy = 0; oy < outSide; oy++) {
    for (let ox = 0; ox < outSide; ox++) {
      acc.set(bias);
      for (let ky = 0; ky < kernel; ky++) {
        const iy = oy * stride + ky - pad;
        if (iy < 0 || iy >= side) continue;
        for (let kx = 0; kx < kernel; kx++) {
          const ix = ox * stride + kx - pad;
          if (ix < 0 || ix >= side) continue;
          const inBase = (iy * side + ix) * cin;
          const wBase = (ky * kernel + kx) * cin * cout;
          for (let ci = 0; ci < cin; ci++) {
            const v = input[inBase + ci];
            if (v === 0) continue;
            const w = wBase + ci * cout;
            for (let co = 0; co < cout; co++) acc[co] += v * weights[w + co];
          }
        }
      }
      const o = (oy * outSide + ox) * cout;
      for (let co = 0; co < cout; co++) output[o + co] = acc[co] > 0 ? acc[co] : 0;
    }
  }
  return { output, side: outSide };
}

/** 2x2 stride-2 max-pooling with SAME padding (padded cells never win). */
export function maxPool2x2Same(input: Float32Array, side: number, channels: number): { output: Float32Array; side: number } {
  const outSide = sameOutputSize(side, 2);
  const pad = samePadBefore(side, 2, 2);
  const output = new Float32Array(outSide * outSide * channels);
  for (let oy = 0; oy < outSide; oy++) {
    for (let ox = 0; ox < outSide; ox++) {
      const o = (oy * outSide + ox) * channels;
      for (let c = 0; c < channels; c++) output[o + c] = -Infinity;
      for (let dy = 0; dy < 2; dy++) {
        const iy = oy * 2 + dy - pad;
        if (iy < 0 || iy >= side) continue;
        for (let dx = 0; dx < 2; dx++) {
          const ix = ox * 2 + dx - pad;
          if (ix < 0 || ix >= side) continue;
          const i = (iy * side + ix) * channels;
          for (let c = 0; c < channels; c++) if (input[i + c] > output[o + c]) output[o + c] = input[i + c];
        }
      }
    }
  }
  return { output, side: outSide };
}

/** y = x W + b, optionally ReLU; W is [in, out] row-major. */
export function dense(input: Float32Array, weights: Float32Array, bias: Float32Array, relu: boolean): Float32Array {
  const nOut = bias.length;
  const out = Float32Array.from(bias);
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (v === 0) continue;
    const row = i * nOut;
    for (let j = 0; j < nOut; j++) out[j] += v * weights[row + j];
  }
  if (relu) for (let j = 0; j < nOut; j++) if (out[j] < 0) out[j] = 0;
  return out;
}

function forwardOne(spec: ArchitectureSpec, t: NetworkWeights["tensors"], image: Float32Array): Float32Array {
  let x = conv2dSameRelu(image, spec.inputSize, 1, t.wc1, t.bc1, spec.conv1.kernel, spec.conv1.stride, spec.conv1.filters);
  if (spec.pool1) x = maxPool2x2Same(x.output, x.side, spec.conv1.filters);
  x = conv2dSameRelu(x.output, x.side, spec.conv1.filters, t.wc2, t.bc2, spec.conv2.kernel, spec.conv2.stride, spec.conv2.filters);
  if (spec.pool2) x = maxPool2x2Same(x.output, x.side, spec.conv2.filters);
  const hidden = dense(x.output, t.wfc, t.bfc, true); // dropout is identity at inference
  return dense(hidden, t.wo, t.bo, false);
}

/** The reference forward pass in plain TypeScript: runs anywhere. */
export function createJsEngine(network: NetworkWeights): ForwardEngine {
  const { spec, tensors } = network;
  const pixels = spec.inputSize * spec.inputSize;
  return {
    kind: "js",
    network,
    forward(input, batch) {
      if (input.length !== batch * pixels) {
        throw new Error(`forward: expected ${batch} x ${pixels} input values, got ${input.length}`);
      }
      const logits = new Float32Array(batch * spec.numClasses);
      for (let b = 0; b < batch; b++) {
        logits.set(forwardOne(spec, tensors, input.subarray(b * pixels, (b + 1) * pixels)), b * spec.numClasses);
      }
      return logits;
    },
  };
}
