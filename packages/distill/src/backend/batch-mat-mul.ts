// BatchMatMul for wasm. The stock kernel runs XNNPACK only for untransposed operands with
// batch 1 and falls back to a scalar triple loop otherwise, so the transposed products of
// every dense layer's gradient (dy x W^T, x^T x dy) ran ~6x slower than they need to.
// Materialising the transposes first (a cheap copy) puts them on the XNNPACK path.
import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { release, transpose, type BackendWasm, type WasmKernelArgs } from "./wasm-ops.js";

function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, axis) => axis);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return transpose(backend, x, perm);
}

/** Wraps the stock kernel (kept for the untransposed case and for its setup). */
export function batchMatMulConfig(stock: KernelConfig): KernelConfig {
  const stockMatMul = stock.kernelFunc;
  function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs<BatchMatMulAttrs>): TensorInfo | TensorInfo[] {
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return stockMatMul({ inputs, backend, attrs: { transposeA, transposeB } });
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    if (a.shape.length < 2 || b.shape.length < 2) {
      throw new Error(`@microexp/distill: wasm BatchMatMul needs rank >= 2 operands, got [${a.shape}] and [${b.shape}]`);
    }
    const aPlain = transposeA ? swapLastTwo(backend, a) : a;
    const bPlain = transposeB ? swapLastTwo(backend, b) : b;
    try {
      return stockMatMul({ inputs: { a: aPlain, b: bPlain }, backend, attrs: { transposeA: false, transposeB: false } });
    } finally {
      if (aPlain !== a) release(backend, aPlain);
      if (bPlain !== b) release(backend, bPlain);
    }
  }
  return {
    kernelName: BatchMatMul,
    backendName: "wasm",
    kernelFunc: batchMatMul as unknown as KernelFunc,
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
  };
}
