import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parameterCount } from "@microexp/infer";
import { networkFromBundle, readBundleIndex } from "../src/index.js";
import { readMicroExpNetCheckpoint } from "../src/node.js";
import { UPSTREAM_MODELS } from "../../../test-support/research-paths.js";

const models = `${UPSTREAM_MODELS}/`;
const present = existsSync(models);
if (!present) console.warn(`SKIPPED: the authors' checkpoints are not at ${models}`);

describe.skipIf(!present)("the authors' TF checkpoints", () => {
  it("lists every variable with its shape, Adam slots included", () => {
    const entries = readBundleIndex(readFileSync(`${models}CK/MicroExpNet_CK.index`));
    expect(entries.get("wc1")?.shape).toEqual([8, 8, 1, 16]);
    expect(entries.get("wfc")?.shape).toEqual([1152, 48]);
    expect(entries.get("wo/Adam_1")?.shape).toEqual([48, 8]);
    expect(entries.get("beta1_power")?.shape).toEqual([]);
  });

  for (const [dir, name] of [["CK", "MicroExpNet_CK"], ["OuluCASIA", "MicroExpNet_OuluCASIA"]]) {
    it(`imports ${name} as the final MicroExpNet (p12-XXS, 65,000 parameters)`, () => {
      const net = readMicroExpNetCheckpoint(`${models}${dir}`);
      expect(net.spec!.id).toBe("p12-XXS");
      expect(net.spec!.numClasses).toBe(8);
      expect(parameterCount(net.spec!)).toBe(65000);
      for (const values of Object.values(net.tensors)) expect(values.every(Number.isFinite)).toBe(true);
    });
  }

  it("rejects a corrupt data file by its checksum, naming the file", () => {
    const index = readFileSync(`${models}CK/MicroExpNet_CK.index`);
    const data = new Uint8Array(readFileSync(`${models}CK/MicroExpNet_CK.data-00000-of-00001`));
    const entry = readBundleIndex(index).get("wc2")!;
    data[entry.offset + 10] ^= 0xff;
    expect(() => networkFromBundle(index, data, { source: "ck" })).toThrow(/ck\.data-00000-of-00001: checksum mismatch for tensor wc2/);
  });

  it("rejects a truncated data file and a file that is not an index", () => {
    const index = readFileSync(`${models}CK/MicroExpNet_CK.index`);
    const data = readFileSync(`${models}CK/MicroExpNet_CK.data-00000-of-00001`);
    expect(() => networkFromBundle(index, data.subarray(0, 1000))).toThrow(/truncated/);
    expect(() => networkFromBundle(data.subarray(0, 4000), data)).toThrow(/bad table magic/);
  });

  it("names a missing checkpoint file", () => {
    expect(() => readMicroExpNetCheckpoint(`${models}CK/nope`)).toThrow(/nope\.index: missing/);
  });
});
