// What the page and its worker say to each other. Pixels travel as transferred ImageBitmaps:
// the page hands a frame over, the worker hands it back with the faces it found in it.
import type { LabelledFace } from "../analyze.js";

/** "photo": every face, the paper's detector settings. "frame": the next frame of a video. */
export type FrameKind = "photo" | "frame";

export type ToWorker =
  | { readonly type: "analyze"; readonly kind: FrameKind; readonly id: number; readonly image: ImageBitmap }
  /** A new video starts: forget the faces of the last one. */
  | { readonly type: "reset" };

export interface Timings {
  /** Reading the pixels out of the bitmap. */
  readonly readMs: number;
  readonly detectMs: number;
  readonly classifyMs: number;
}

export type FromWorker =
  | {
      readonly type: "ready";
      readonly model: string;
      /** Where the network and the detector run: "wasm" (WebAssembly SIMD) or "js". */
      readonly classifierEngine: string;
      readonly detectorEngine: string;
      readonly labels: readonly string[];
      readonly cascade: string;
    }
  | {
      readonly type: "result";
      readonly kind: FrameKind;
      readonly id: number;
      readonly image: ImageBitmap;
      readonly faces: readonly LabelledFace[];
      readonly timings: Timings;
    }
  /** Without `kind`, the worker itself failed (it could not load the model). */
  | { readonly type: "error"; readonly kind?: FrameKind; readonly id?: number; readonly image?: ImageBitmap; readonly message: string };
