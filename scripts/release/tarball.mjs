// Reads the files of an npm tarball (.tgz) in memory. npm writes plain ustar with pax
// headers for long names; reading it here (not with the system's tar) means the checks see
// exactly the bytes that would be published, on any OS.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const BLOCK = 512;

function text(buffer, start, length) {
  const end = buffer.indexOf(0, start);
  return buffer.toString("utf8", start, end === -1 || end > start + length ? start + length : end);
}

function octal(buffer, start, length) {
  const digits = text(buffer, start, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

/** pax records are "<length> <key>=<value>\n"; only "path" matters for npm's tarballs. */
function paxPath(body) {
  let path;
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const length = parseInt(body.toString("utf8", at, space), 10);
    if (!(length > 0)) break;
    const record = body.toString("utf8", space + 1, at + length - 1);
    const eq = record.indexOf("=");
    if (record.slice(0, eq) === "path") path = record.slice(eq + 1);
    at += length;
  }
  return path;
}

/**
 * The regular files of a tarball: `{ path, data }`, with the path inside the package
 * (npm's leading "package/" removed). Other entry kinds are returned with `type` set so a
 * caller can refuse them.
 */
export function readTarball(file) {
  const tar = gunzipSync(readFileSync(file));
  const entries = [];
  let longPath;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    if (tar[at] === 0) break; // two zero blocks end the archive
    const size = octal(tar, at + 124, 12);
    const type = String.fromCharCode(tar[at + 156] || 0x30);
    const prefix = text(tar, at + 345, 155);
    const name = text(tar, at + 0, 100);
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      longPath = paxPath(body);
      continue;
    }
    if (type === "g") continue;
    const path = (longPath ?? (prefix ? `${prefix}/${name}` : name)).replace(/^package\//, "");
    longPath = undefined;
    entries.push({ path, type: type === "0" ? "file" : type, data: Buffer.from(body) });
  }
  return entries;
}
