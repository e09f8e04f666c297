// Rewrites weights files of format versions 1 and 2 in the current version (3: checksum and
// layer graph), only when the new file decodes to exactly the same network, labels,
// normalisation and model card; written atomically. Usage: node scripts/upgrade-weights.mjs FILE.mxw...
// (build the package first: it uses dist/).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { decodeWeights, encodeWeights, WEIGHTS_FORMAT_VERSION } from "../dist/index.js";

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const version = bytes.readUInt32LE(4);
  const old = decodeWeights(bytes, file);
  if (version === WEIGHTS_FORMAT_VERSION) {
    console.log(`${file}: already version ${version}`);
    continue;
  }
  const headerLength = bytes.readUInt32LE(8);
  const preamble = version === 1 ? 12 : 16;
  const header = JSON.parse(bytes.subarray(preamble, preamble + headerLength).toString("utf8"));
  const dtypes = new Set(header.tensors.map((t) => t.dtype));
  if (dtypes.size !== 1) throw new Error(`${file}: tensors of several dtypes (${[...dtypes]}); encodeWeights writes one`);
  const upgraded = encodeWeights(old.network, { labels: old.labels, normalization: old.normalization, model: header.model, dtype: [...dtypes][0] });
  const again = decodeWeights(upgraded, file);
  const same = isDeepStrictEqual(again.labels, old.labels) && isDeepStrictEqual(again.normalization, old.normalization) &&
    isDeepStrictEqual(again.model, old.model) && isDeepStrictEqual(again.network.graph, old.network.graph) &&
    Object.keys(old.network.tensors).every((name) => Buffer.compare(Buffer.from(again.network.tensors[name].buffer), Buffer.from(old.network.tensors[name].buffer)) === 0);
  if (!same) throw new Error(`${file}: the version ${WEIGHTS_FORMAT_VERSION} file would not hold the same weights; left as it is`);
  writeFileSync(`${file}.tmp`, upgraded);
  renameSync(`${file}.tmp`, file);
  console.log(`${file}: version ${version} -> ${WEIGHTS_FORMAT_VERSION}, ${bytes.length} -> ${upgraded.length} bytes, same content`);
}
