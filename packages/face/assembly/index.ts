// The face detector's WebAssembly kernel (128-bit SIMD): the pyramid resize, integral
// images and the cascade scans, bit-exact with OpenCV's CascadeClassifier. The host
// (src/detect/wasm-scanner.ts) lays out all memory from heapBase() on.
export { resizeExact } from "./resize";
export { setKeepFrom } from "./walk";
export { integral, integral16 } from "./integral";
export { scanHaar } from "./haar";
export { scanLbp } from "./lbp";

/** First byte the host may use: the kernel keeps no data of its own beyond this. */
export function heapBase(): usize {
  return __heap_base;
}
