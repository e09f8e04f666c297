import { Mulberry32 } from "@microexp/datasets";

/** The seeded generator of training (datasets' mulberry32), with permutations and a state to checkpoint. */
export class SeededRandom extends Mulberry32 {
  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** The state, to save in a checkpoint and resume the same sequence. */
  get seedState(): number {
    return this.state;
  }

  restore(state: number): void {
    this.state = state >>> 0;
  }
}
