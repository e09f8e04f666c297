// What the Haar and LBP scanners share: four window positions per step ("lanes"), OpenCV's
// left-to-right walk along a row, and the output of accepted windows.

/** True when OpenCV will skip the next position of the current row. Reset at each row. */
let skipNext = false;

// A scan may want only the windows from `keepFrom` on (detectFacesNear): rows still start at
// their first position, since which positions OpenCV visits depends on all before them, but
// the positions before keepFrom only take part in that walk: they are not classified beyond
// stage 0 and not accepted.
let keepFrom = 0;

/** Sets the first position whose windows the next scans classify fully and may accept. */
export function setKeepFrom(position: i32): void {
  keepFrom = position;
}

export function startRow(): void {
  skipNext = false;
}

/**
 * Which lanes OpenCV evaluates: it visits positions left to right and, when a window is
 * rejected at stage 0 (result 0), skips the next one. Bit i of `valid` is set when lane i was
 * classified (the others returned -1, which does not skip), of `passed` when it passed
 * stage 0. Lane i is position x0 + i * step. Returns the bits of the lanes that were visited,
 * passed stage 0 and are from keepFrom on.
 */
export function visitLanes(valid: i32, passed: i32, lanes: i32, x0: i32, step: i32): i32 {
  let visited = 0, kept = 0;
  for (let lane = 0, x = x0; lane < lanes; lane++, x += step) {
    if (x >= keepFrom) kept |= 1 << lane;
    if (skipNext) {
      skipNext = false;
    } else {
      visited |= 1 << lane;
      skipNext = ((valid >> lane) & 1) != 0 && ((passed >> lane) & 1) == 0;
    }
  }
  return valid & passed & visited & kept;
}

/** visitLanes for four i32 lanes given as masks; returns a mask. */
export function visitAfterStageZero(valid: v128, passed: v128, x0: i32, step: i32): v128 {
  const visited = visitLanes(i32x4.bitmask(valid), i32x4.bitmask(passed), 4, x0, step);
  return i32x4.ne(v128.and(i32x4.splat(visited), i32x4(1, 2, 4, 8)), i32x4.splat(0));
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
  return writeHitBits(i32x4.bitmask(accepted), x0, step, y, hits, count, maxHits);
}

/** Writes (x, y) of each lane whose bit is set; returns the new hit count. */
export function writeHitBits(bits: i32, x0: i32, step: i32, y: i32, hits: usize, count: i32, maxHits: i32): i32 {
  for (let lane = 0; bits >> lane != 0; lane++) {
    if (((bits >> lane) & 1) == 0) continue;
    if (count < maxHits) {
      store<i32>(hits + (<usize>count << 3), x0 + lane * step);
      store<i32>(hits + (<usize>count << 3), y, 4);
    }
    count++;
  }
  return count;
}
