/**
 * The smallest module that uses a baseline 128-bit SIMD instruction:
 * (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt).
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code section
]);

/** The WebAssembly API, or undefined where the host has none (read at call time). */
export function webAssemblyApi(): typeof WebAssembly | undefined {
  return (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
}

/** True when this host runs WebAssembly with 128-bit SIMD (Node >= 16.4, current browsers). */
export function wasmSimdSupported(): boolean {
  try {
    const api = webAssemblyApi();
    return typeof api?.validate === "function" && api.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
