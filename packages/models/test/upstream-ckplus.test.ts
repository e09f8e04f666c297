// The authors' CK+ checkpoint, imported by our parser and run by our runtime with the paper's
// inference crop policy, labels the real CK+ faces of ckplus48 about nine in ten right.
// A wrong padding, weight layout or flatten order drops this far lower.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeWeights, ExpressionClassifier } from "@microexp/infer";
import { UPSTREAM_LABELS } from "../src/index.js";
import { readMicroExpNetCheckpoint } from "../src/node.js";
import { DATA_ROOT, UPSTREAM_MODELS } from "../../../test-support/research-paths.js";

const data = join(DATA_ROOT, "ckplus48");
const checkpoint = join(UPSTREAM_MODELS, "CK");
const present = existsSync(data) && existsSync(checkpoint);
if (!present) console.warn(`SKIPPED: the upstream CK+ accuracy test needs ${data} and ${checkpoint}`);

describe.skipIf(!present)("the authors' CK+ MicroExpNet on ckplus48", () => {
  it("labels about nine faces in ten right", async () => {
    const network = readMicroExpNetCheckpoint(checkpoint);
    const classifier = await ExpressionClassifier.create(encodeWeights(network, { labels: UPSTREAM_LABELS }));
    const classes = readdirSync(data).sort();
    const n = UPSTREAM_LABELS.length;
    const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    let right8 = 0;
    let right7 = 0;
    let total = 0;
    for (const name of classes) {
      const truth = UPSTREAM_LABELS.indexOf(name);
      expect(truth, `class folder ${name}`).toBeGreaterThan(0);
      for (const file of readdirSync(join(data, name))) {
        const { data: pixels, info } = await sharp(join(data, name, file)).greyscale().raw().toBuffer({ resolveWithObject: true });
        const prediction = classifier.classify({ width: info.width, height: info.height, data: pixels, channels: 1 });
        const predicted = UPSTREAM_LABELS.indexOf(prediction.label);
        confusion[truth][predicted]++;
        right8 += predicted === truth ? 1 : 0;
        // ckplus48 has no neutral faces: also score the best of the 7 emotions.
        const emotions = prediction.scores.slice(1);
        const best7 = 1 + emotions.indexOf(emotions.reduce((a, b) => (b.probability > a.probability ? b : a)));
        right7 += best7 === truth ? 1 : 0;
        total++;
      }
    }
    const recall = UPSTREAM_LABELS.map((label, i) => ({ label, n: confusion[i].reduce((a, b) => a + b, 0), recall: confusion[i][i] / Math.max(1, confusion[i].reduce((a, b) => a + b, 0)) }));
    console.log(`ckplus48, ${total} faces, engine ${classifier.engineKind}: accuracy ${(100 * right8 / total).toFixed(2)} % over 8 labels, ${(100 * right7 / total).toFixed(2)} % over the 7 emotions`);
    console.table(recall.filter((r) => r.n > 0).map((r) => ({ ...r, recall: (100 * r.recall).toFixed(1) + " %" })));
    console.log("confusion (rows truth, columns predicted):");
    console.table(Object.fromEntries(UPSTREAM_LABELS.map((label, i) => [label, Object.fromEntries(UPSTREAM_LABELS.map((l, j) => [l, confusion[i][j]]))])));
    expect(total).toBe(981);
    expect(right8 / total).toBeGreaterThan(0.82);
    expect(right7 / total).toBeGreaterThan(0.88);
  });
});
