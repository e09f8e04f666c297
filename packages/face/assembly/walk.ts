// What the Haar and LBP scanners share: four window positions per step ("lanes"), OpenCV's
// left-to-right walk along a row, and the output of accepted windows.

/** True when OpenCV will skip the next position of the current row. Reset at each row. */
let skipNext = false;

export function startRow(): void {
  skipNext = false;
}

/**
 * Which lanes OpenCV evaluates: it visits positions left to right and, when a window is
 * rejected at stage 0 (result 0), skips the next one. `valid` lanes were classified (the
 * others returned -1, which does not skip); `passed` lanes passed stage 0. Returns the
 * mask of lanes that were visited and passed stage 0.
 */
export function visitAfterStageZero(valid: v128, passed: v128): v128 {
  const validBits = i32x4.bitmask(valid), passedBits = i32x4.bitmask(passed);
  let visited = 0;
  for (let lane = 0; lane < 4; lane++) {
    if (skipNext) {
      skipNext = false;
    } else {
      visited |= 1 << lane;
      skipNext = ((validBits >> lane) & 1) != 0 && ((passedBits >> lane) & 1) == 0;
    }
  }
  const visitedMask = i32x4.ne(v128.and(i32x4.splat(visited), i32x4(1, 2, 4, 8)), i32x4.splat(0));
  return v128.and(v128.and(valid, passed), visitedMask);
}

/** Lanes whose positions x0 + lane * step are below `cols`. */
@inline export function insideRow(x0: i32, step: i32, cols: i32): v128 {
  return i32x4.lt_s(i32x4.add(i32x4.splat(x0), i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(step))), i32x4.splat(cols));
}

/** Lane i of an i32x4 mask built from two f64x2 masks (lanes 0-1 and 2-3). */
@inline export function narrow(low: v128, high: v128): v128 {
  return v128.shuffle<i32>(low, high, 0, 2, 4, 6);
}

/** Writes (x, y) of each lane set in `accepted`; returns the new hit count. */
export function writeHits(accepted: v128, x0: i32, step: i32, y: i32, hits: usize, count: i32, maxHits: i32): i32 {
  const bits = i32x4.bitmask(accepted);
  for (let lane = 0; lane < 4; lane++) {
    if (((bits >> lane) & 1) == 0) continue;
    if (count < maxHits) {
      store<i32>(hits + (<usize>count << 3), x0 + lane * step);
      store<i32>(hits + (<usize>count << 3), y, 4);
    }
    count++;
  }
  return count;
}
