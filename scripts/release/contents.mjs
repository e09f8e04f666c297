// Guards the research data: the datasets are licensed for non-commercial research, so no
// file of theirs may ever be published. Every file of every tarball is hashed and compared
// with every file of the data folder, and images are refused outright (the packages ship
// code, cascades and weights, never pictures).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { ROOT } from "./run.mjs";
import { readTarball } from "./tarball.mjs";

export const DATA_DIR = process.env.MICROEXP_DATA ?? join(ROOT, "../shared/data");

/**
 * Images a tarball may contain, as "<package name>/<path in the package>", each with the
 * reason it is allowed. None today: nothing under packages/* needs a picture.
 */
export const IMAGE_ALLOW_LIST = new Map([]);

const IMAGE_EXTENSIONS = new Set([
  ".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".dib", ".webp", ".tif", ".tiff", ".pgm", ".ppm", ".pbm",
  ".pnm", ".ico", ".avif", ".heic", ".heif", ".jxl", ".jp2", ".svg", ".y4m",
]);

/** A picture by its first bytes, so that a renamed image is caught too. */
function imageSignature(data) {
  const ascii = data.toString("latin1", 0, 16);
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47) return "PNG";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "JPEG";
  if (ascii.startsWith("GIF87a") || ascii.startsWith("GIF89a")) return "GIF";
  if (ascii.startsWith("RIFF") && ascii.slice(8, 12) === "WEBP") return "WebP";
  if (ascii.startsWith("II*\0") || ascii.startsWith("MM\0*")) return "TIFF";
  // BMP: "BM" then the file's own length, which text files that happen to start with BM lack.
  if (ascii.startsWith("BM") && data.length >= 6 && data.readUInt32LE(2) === data.length) return "BMP";
  if (/^P[1-6]\s/.test(ascii)) return "PNM";
  if (ascii.slice(4, 8) === "ftyp" && /^(avif|heic|heix|mif1)/.test(ascii.slice(8, 12))) return "AVIF/HEIC";
  if (ascii.startsWith("YUV4MPEG2")) return "Y4M video";
  return null;
}

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Checks every packed package. `packed`: `[{ name, tarball }]`. Returns `{ pkg, problem }`s.
 */
export function checkContents(packed) {
  const problems = [];
  // sha256 -> where it is packed; also the sizes, so that only data files of a packed size
  // need hashing (a file of another size cannot have the same contents): the data folder
  // holds tens of thousands of images and this keeps the check to a second or two.
  const packedByHash = new Map();
  const packedSizes = new Set();
  for (const { name, tarball } of packed) {
    const files = readTarball(tarball);
    let images = 0;
    for (const { path, type, data } of files) {
      if (type !== "file") {
        problems.push({ pkg: name, problem: `${path}: a tarball entry of type "${type}" (only regular files are expected)` });
        continue;
      }
      const kind = imageSignature(data) ?? (IMAGE_EXTENSIONS.has(extname(path).toLowerCase()) ? `${extname(path)} file` : null);
      if (kind && !IMAGE_ALLOW_LIST.has(`${name}/${path}`)) {
        problems.push({ pkg: name, problem: `${path}: an image (${kind}) in the tarball; packages ship no pictures (allow-list in scripts/release/contents.mjs)` });
      }
      if (kind) images++;
      // An empty file carries no data, and would "match" every empty file in the data folder.
      if (data.length === 0) continue;
      const hash = sha256(data);
      if (!packedByHash.has(hash)) packedByHash.set(hash, []);
      packedByHash.get(hash).push({ pkg: name, path });
      packedSizes.add(data.length);
    }
    console.log(`  ${name}: ${files.length} files hashed, ${images} image(s)`);
  }

  if (!existsSync(DATA_DIR)) {
    console.warn(`\n${"!".repeat(88)}\n!! WARNING: no research data folder at ${DATA_DIR}` +
      `\n!! (set MICROEXP_DATA): the tarballs were NOT compared with the datasets' files.\n${"!".repeat(88)}\n`);
    return problems;
  }
  let seen = 0;
  let hashed = 0;
  let leaks = 0;
  for (const file of walk(DATA_DIR)) {
    seen++;
    if (!packedSizes.has(statSync(file).size)) continue;
    hashed++;
    const where = packedByHash.get(sha256(readFileSync(file)));
    if (!where) continue;
    for (const { pkg, path } of where) {
      leaks++;
      problems.push({ pkg, problem: `${path} is byte for byte the research data file ${relative(DATA_DIR, file)} (in ${DATA_DIR})` });
    }
  }
  console.log(`  data folder ${DATA_DIR}: ${seen} files, ${hashed} of a packed file's size hashed, ${leaks ? `${leaks} MATCH(ES)` : "no match"}`);
  return problems;
}
