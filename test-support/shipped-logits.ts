// Shared by the packages that ship weights: the fixed inputs their shipped files' logits were
// recorded on (test/fixtures/shipped-logits.json in each), so that no engine change can alter
// a shipped model's answers unnoticed.

/** A gradient, flat gray, a checkerboard and hashed noise: 4 inputs of size x size. */
export function fixtureInputs(size = 84): Float32Array {
  const area = size * size;
  const images = new Float32Array(4 * area);
  for (let p = 0; p < area; p++) {
    const [y, x] = [Math.floor(p / size), p % size];
    images[p] = (x * 3 + y) % 256;
    images[area + p] = 128;
    images[2 * area + p] = (Math.floor(x / 6) + Math.floor(y / 6)) % 2 ? 230 : 20;
    images[3 * area + p] = (p * 2654435761) >>> 24;
  }
  return images;
}
