import type { NetworkWeights } from "./architecture.js";

/** Runs the network's forward pass. Implemented in plain TypeScript and in WebAssembly SIMD. */
export interface ForwardEngine {
  readonly kind: "js" | "wasm";
  readonly network: NetworkWeights;
  /**
   * Runs `batch` images, each inputSize*inputSize floats (one channel, row-major, raw
   * 0..255), and returns batch*numClasses logits.
   */
  forward(input: Float32Array, batch: number): Float32Array;
}
