import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { ImageDecodeError, decodeImage, decodeImageFile } from "../src/node.js";
import { FIXTURES } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "microexp-face-decode-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A 5x3 RGB test pattern (odd width, so BMP rows need padding). */
const W = 5, H = 3;
const RGB = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 37 + 11) % 256);

/** Writes a BMP (24/32-bit BGR(X), or 8-bit with a palette of the pattern's colours), as image editors do. */
function bmp(bits: 8 | 24 | 32, topDown = false, compression = 0): Uint8Array {
  const palette = bits === 8 ? W * H : 0;
  const rowBytes = Math.ceil((W * bits) / 32) * 4;
  const pixelStart = 54 + palette * 4;
  const out = new Uint8Array(pixelStart + rowBytes * H);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, pixelStart, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, W, true);
  v.setInt32(22, topDown ? -H : H, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bits, true);
  v.setUint32(30, compression, true);
  v.setUint32(46, palette, true);
  for (let i = 0; i < palette; i++) out.set([RGB[i * 3 + 2], RGB[i * 3 + 1], RGB[i * 3], 0], 54 + i * 4);
  for (let y = 0; y < H; y++) {
    const row = pixelStart + (topDown ? y : H - 1 - y) * rowBytes;
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (bits === 8) out[row + x] = i;
      else out.set([RGB[i * 3 + 2], RGB[i * 3 + 1], RGB[i * 3]], row + x * (bits / 8));
    }
  }
  return out;
}

describe("decodeImageFile", () => {
  it("decodes PNG and JPEG fixtures to RGB", async () => {
    const png = await decodeImageFile(`${FIXTURES}astronaut.png`);
    expect([png.width, png.height, png.channels, png.data.length]).toEqual([512, 512, 3, 512 * 512 * 3]);
    const jpeg = await decodeImageFile(`${FIXTURES}london/neutral-001_03.jpg`);
    expect([jpeg.width, jpeg.height, jpeg.channels]).toEqual([540, 540, 3]);
  });

  it("keeps gray images one channel and drops alpha", async () => {
    const raw = { raw: { width: W, height: H, channels: 4 as const } };
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 128 : RGB[i - Math.floor(i / 4)]));
    const withAlpha = await decodeImageFile(file("alpha.png", await sharp(rgba, raw).png().toBuffer()));
    expect(withAlpha.channels).toBe(3);
    expect(Array.from(withAlpha.data)).toEqual(Array.from(RGB));
    const gray = await decodeImageFile(file("gray.png", await sharp(RGB.subarray(0, W * H), { raw: { width: W, height: H, channels: 1 } }).toColourspace("b-w").png().toBuffer()));
    expect([gray.channels, Array.from(gray.data)]).toEqual([1, Array.from(RGB.subarray(0, W * H))]);
  });

  it("decodes the first frame of a GIF", async () => {
    const gif = await sharp(`${FIXTURES}astronaut.png`).resize(64, 48).gif().toBuffer();
    const image = await decodeImageFile(file("a.gif", gif));
    expect([image.width, image.height, image.channels]).toEqual([64, 48, 3]);
  });

  it.each([
    ["24-bit bottom-up", bmp(24)],
    ["24-bit top-down", bmp(24, true)],
    ["32-bit", bmp(32)],
    ["8-bit palette", bmp(8)],
  ])("decodes uncompressed BMP (%s)", async (_kind, bytes) => {
    const image = await decodeImageFile(file("pattern.bmp", bytes));
    expect([image.width, image.height, image.channels]).toEqual([W, H, 3]);
    expect(Array.from(image.data)).toEqual(Array.from(RGB));
  });
});

describe("bad files get errors that name them", () => {
  const jpeg = readFileSync(`${FIXTURES}london/neutral-001_03.jpg`);
  const png = readFileSync(`${FIXTURES}astronaut.png`);
  it.each([
    ["empty.png", new Uint8Array(0), /empty\.png: the file is empty/],
    ["notes.jpg", "this is not an image", /notes\.jpg: not a readable image \(.*unsupported image format/],
    ["cut.jpg", jpeg.subarray(0, 20000), /cut\.jpg: not a readable image \(.*premature end/],
    ["cut.png", png.subarray(0, 300000), /cut\.png: not a readable image/],
    ["header.png", png.subarray(0, 100), /header\.png: not a readable image/],
    ["cut.bmp", bmp(24).subarray(0, 80), /cut\.bmp: not a readable BMP image \(the file is truncated/],
    ["rle.bmp", bmp(8, false, 1), /rle\.bmp: not a readable BMP image \(compression 1 is not supported/],
  ])("%s", async (name, bytes, message) => {
    const path = file(name, bytes);
    const error = await decodeImageFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).file).toBe(path);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it("a missing file", async () => {
    const path = join(dir, "missing.png");
    await expect(decodeImageFile(path)).rejects.toThrow(new RegExp(`${path}: cannot read the file \\(ENOENT`));
  });

  it("bytes without a file name get a default label", async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3]))).rejects.toThrow(/^image: not a readable image/);
  });
});

describe("without the optional peer dependency sharp", () => {
  // A child process in which "sharp" cannot be resolved (a Node resolve hook, as if it were not
  // installed): BMP still decodes, PNG fails with an error that says what to install.
  it("decodes BMP and names sharp for the other formats", () => {
    const hook = file("no-sharp.mjs", [
      "export async function resolve(specifier, context, next) {",
      "  if (specifier === 'sharp') throw Object.assign(new Error(\"Cannot find package 'sharp'\"), { code: 'ERR_MODULE_NOT_FOUND' });",
      "  return next(specifier, context);",
      "}",
    ].join("\n"));
    const register = file("register.mjs", `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)});`);
    const dist = pathToFileURL(fileURLToPath(new URL("../dist/node.js", import.meta.url))).href;
    const script = [
      `import { decodeImage } from ${JSON.stringify(dist)};`,
      `import { readFileSync } from "node:fs";`,
      `const gray = await decodeImage(readFileSync(${JSON.stringify(file("p.bmp", bmp(24)))}), "p.bmp");`,
      `console.log("bmp", gray.width, gray.height);`,
      `try { await decodeImage(readFileSync(${JSON.stringify(join(FIXTURES, "astronaut.png"))}), "astronaut.png"); } catch (e) { console.log(e.name, e.message); }`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`bmp ${W} ${H}`);
    expect(run.stdout).toContain("ImageDecodeError astronaut.png: decoding PNG, JPEG, GIF, WebP or TIFF in Node needs the optional peer dependency sharp (npm install sharp)");
  });
});
