// Copies of the images with each face's box and label drawn: an SVG overlay composited by sharp.
import type { DecodedImage } from "@microexp/face/node";
import { extname } from "node:path";
import sharp from "sharp";
import type { LabelledFace } from "../analyze.js";
import { writeAtomic } from "./write-atomic.js";

/** Formats sharp writes, by extension; anything else (BMP) is written as PNG. */
const WRITABLE = new Map<string, "png" | "jpeg" | "webp" | "gif" | "tiff" | "avif">([
  [".png", "png"], [".jpg", "jpeg"], [".jpeg", "jpeg"], [".webp", "webp"], [".gif", "gif"], [".tif", "tiff"], [".tiff", "tiff"], [".avif", "avif"],
]);

/** The name an annotated copy of `name` gets: the same, or with .png when sharp cannot write its format. */
export function annotatedName(name: string): string {
  const ext = extname(name);
  return WRITABLE.has(ext.toLowerCase()) ? name : `${name.slice(0, name.length - ext.length)}.png`;
}

/** Text safe inside SVG: markup escaped, and characters XML cannot hold (controls, lone surrogates) shown as U+FFFD. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The overlay: a box, a label tag and a probability bar per face, numbered when there are several. */
export function overlaySvg(width: number, height: number, faces: readonly LabelledFace[]): string {
  const unit = Math.max(1, Math.max(width, height) / 640);
  const font = Math.round(15 * unit), pad = Math.round(3 * unit), line = Math.max(2, Math.round(2 * unit));
  const shapes = faces.map((face, i) => {
    const { x, y, width: w, height: h } = face.box;
    const text = `${faces.length > 1 ? `${i + 1}. ` : ""}${face.label} ${Math.round(face.probability * 100)}%`;
    const tagHeight = font + 2 * pad;
    // DejaVu Sans Bold is at most about 0.7 em wide per character: a tag that fits the text.
    const tagWidth = Math.round(text.length * font * 0.7) + 2 * pad;
    const tagY = y - tagHeight >= 0 ? y - tagHeight : y;
    const bar = Math.round(6 * unit);
    return [
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#1fdd6b" stroke-width="${line}"/>`,
      `<rect x="${x}" y="${tagY}" width="${tagWidth}" height="${tagHeight}" fill="#1fdd6b"/>`,
      `<text x="${x + pad}" y="${tagY + pad + font * 0.85}" font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="${font}" fill="#000">${escapeXml(text)}</text>`,
      `<rect x="${x}" y="${y + h - bar}" width="${w}" height="${bar}" fill="#000" fill-opacity="0.5"/>`,
      `<rect x="${x}" y="${y + h - bar}" width="${Math.round(w * face.probability)}" height="${bar}" fill="#1fdd6b"/>`,
    ].join("");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join("")}</svg>`;
}

/** RGB pixels of a decoded image (gray ones repeated in three channels, so the overlay keeps its colour). */
function rgbPixels(image: DecodedImage): Uint8Array {
  if (image.channels === 3) return image.data;
  const rgb = new Uint8Array(image.data.length * 3);
  for (let i = 0; i < image.data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = image.data[i];
  return rgb;
}

/** Writes `image` with its faces drawn to `path` (format from the extension), atomically. */
export async function writeAnnotated(image: DecodedImage, faces: readonly LabelledFace[], path: string): Promise<void> {
  const { width, height } = image;
  const format = WRITABLE.get(extname(path).toLowerCase()) ?? "png";
  const bytes = await sharp(rgbPixels(image), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(overlaySvg(width, height, faces)) }])
    .toFormat(format)
    .toBuffer();
  await writeAtomic(path, bytes);
}
