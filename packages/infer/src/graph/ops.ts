/**
 * The layer graph's ops in plain TypeScript loops, one image at a time, NHWC, TF "SAME"
 * windows: the reference every other engine is checked against. The convolution and dense
 * loops keep the summation order the runtime always had, so the shipped weights' answers
 * stay the same to the bit.
 */
import { sameOutputSize } from "./analyze.js";

/** A map of one image: height x width x channels, row-major. */
export interface FeatureMap {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Offset of the first input row/col a TF "SAME" window starts at (negative = padding). */
export function samePadBefore(input: number, kernel: number, stride: number): number {
  const out = sameOutputSize(input, stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - input, 0) / 2);
}

/** Convolution, weights HWIO [kernel, kernel, channels, filters]; bias optional. */
export function conv2d(x: FeatureMap, weights: Float32Array, bias: Float32Array | undefined, kernel: number, stride: number, filters: number, relu: boolean): FeatureMap {
  const { data: input, height, width, channels: cin } = x;
  const outH = sameOutputSize(height, stride);
  const outW = sameOutputSize(width, stride);
  const padY = samePadBefore(height, kernel, stride);
  const padX = samePadBefore(width, kernel, stride);
  const output = new Float32Array(outH * outW * filters);
  const acc = new Float32Array(filters);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      if (bias) acc.set(bias);
      else acc.fill(0);
      for (let ky = 0; ky < kernel; ky++) {
        const iy = oy * stride + ky - padY;
        if (iy < 0 || iy >= height) continue;
        for (let kx = 0; kx < kernel; kx++) {
          const ix = ox * stride + kx - padX;
          if (ix < 0 || ix >= width) continue;
          const inBase = (iy * width + ix) * cin;
          const wBase = (ky * kernel + kx) * cin * filters;
          for (let ci = 0; ci < cin; ci++) {
            const v = input[inBase + ci];
            if (v === 0) continue;
            const w = wBase + ci * filters;
            for (let co = 0; co < filters; co++) acc[co] += v * weights[w + co];
          }
        }
      }
      const o = (oy * outW + ox) * filters;
      if (relu) for (let co = 0; co < filters; co++) output[o + co] = acc[co] > 0 ? acc[co] : 0;
      else output.set(acc, o);
    }
  }
  return { data: output, height: outH, width: outW, channels: filters };
}

/** Depthwise convolution, multiplier 1: weights [kernel, kernel, channels, 1]; bias optional. */
export function depthwiseConv2d(x: FeatureMap, weights: Float32Array, bias: Float32Array | undefined, kernel: number, stride: number, relu: boolean): FeatureMap {
  const { data: input, height, width, channels } = x;
  const outH = sameOutputSize(height, stride);
  const outW = sameOutputSize(width, stride);
  const padY = samePadBefore(height, kernel, stride);
  const padX = samePadBefore(width, kernel, stride);
  const output = new Float32Array(outH * outW * channels);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const o = (oy * outW + ox) * channels;
      if (bias) output.set(bias, o);
      for (let ky = 0; ky < kernel; ky++) {
        const iy = oy * stride + ky - padY;
        if (iy < 0 || iy >= height) continue;
        for (let kx = 0; kx < kernel; kx++) {
          const ix = ox * stride + kx - padX;
          if (ix < 0 || ix >= width) continue;
          const i = (iy * width + ix) * channels;
          const w = (ky * kernel + kx) * channels;
          for (let c = 0; c < channels; c++) output[o + c] += input[i + c] * weights[w + c];
        }
      }
      if (relu) for (let c = 0; c < channels; c++) if (output[o + c] < 0) output[o + c] = 0;
    }
  }
  return { data: output, height: outH, width: outW, channels };
}

/** Max-pooling, SAME padding (padded cells never win). */
export function maxPool(x: FeatureMap, size: number, stride: number): FeatureMap {
  const { data: input, height, width, channels } = x;
  const outH = sameOutputSize(height, stride);
  const outW = sameOutputSize(width, stride);
  const padY = samePadBefore(height, size, stride);
  const padX = samePadBefore(width, size, stride);
  const output = new Float32Array(outH * outW * channels);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const o = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) output[o + c] = -Infinity;
      for (let dy = 0; dy < size; dy++) {
        const iy = oy * stride + dy - padY;
        if (iy < 0 || iy >= height) continue;
        for (let dx = 0; dx < size; dx++) {
          const ix = ox * stride + dx - padX;
          if (ix < 0 || ix >= width) continue;
          const i = (iy * width + ix) * channels;
          for (let c = 0; c < channels; c++) if (input[i + c] > output[o + c]) output[o + c] = input[i + c];
        }
      }
    }
  }
  return { data: output, height: outH, width: outW, channels };
}

/** The mean of each channel over the map (summed in float64). */
export function globalAvgPool(x: FeatureMap): Float32Array {
  const { data, height, width, channels } = x;
  const sums = new Float64Array(channels);
  for (let p = 0; p < height * width; p++) for (let c = 0; c < channels; c++) sums[c] += data[p * channels + c];
  return Float32Array.from(sums, (s) => s / (height * width));
}

/** y = x W + b, optionally ReLU; W is [in, units] row-major; bias optional. */
export function dense(input: Float32Array, weights: Float32Array, bias: Float32Array | undefined, units: number, relu: boolean): Float32Array {
  const out = bias ? Float32Array.from(bias) : new Float32Array(units);
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (v === 0) continue;
    const row = i * units;
    for (let j = 0; j < units; j++) out[j] += v * weights[row + j];
  }
  if (relu) for (let j = 0; j < units; j++) if (out[j] < 0) out[j] = 0;
  return out;
}

export function relu(values: Float32Array): Float32Array {
  return values.map((v) => (v < 0 ? 0 : v)); // a NaN stays NaN, for the caller's check to see
}

export function add(a: Float32Array, b: Float32Array, withRelu: boolean): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const s = a[i] + b[i];
    out[i] = withRelu && s < 0 ? 0 : s;
  }
  return out;
}

export function rescale(values: Float32Array, scale: number, offset: number): Float32Array {
  return values.map((v) => v * scale + offset);
}
