// Small SIMD helpers shared by the kernels (inlined by the compiler).

/** acc + x * w, lane-wise (baseline SIMD has no fused multiply-add). */
@inline export function mulAdd(acc: v128, x: v128, w: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, w));
}

/** max(0, v) with the reference's semantics (NaN -> 0); pmax is one instruction, max is not. */
@inline export function relu(v: v128): v128 {
  return f32x4.pmax(f32x4.splat(0), v);
}

/** Sum of the four lanes. */
@inline export function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
