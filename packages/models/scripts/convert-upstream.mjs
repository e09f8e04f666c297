#!/usr/bin/env node
// Converts the paper authors' published TF checkpoints into the runtime's .mxw weights,
// with a model card in the header, into packages/upstream-weights/weights/ (what @microexp/upstream-weights ships).
// Usage: node scripts/convert-upstream.mjs [path/to/microexpnet-upstream/Models] [out dir]
// (default: $MICROEXP_REFERENCE/microexpnet-upstream/Models, MICROEXP_REFERENCE defaulting to ../shared/reference)
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { encodeWeights, decodeWeights, parameterCount } from "@microexp/infer";
import { UPSTREAM_LABELS } from "@microexp/models";
import { readMicroExpNetCheckpoint, writeFileAtomic } from "@microexp/models/node";

const here = fileURLToPath(new URL(".", import.meta.url));
const models = process.argv[2] ?? join(process.env.MICROEXP_REFERENCE ?? join(here, "../../../../shared/reference"), "microexpnet-upstream/Models");
const outDir = process.argv[3] ?? join(here, "../../upstream-weights/weights");

const sources = [
  { dir: "CK", name: "microexpnet-ckplus-upstream", data: "CK+ (Extended Cohn-Kanade), 8 classes: the last 3 frames of the 327 labelled sequences plus the first frame of all 593 as neutral" },
  { dir: "OuluCASIA", name: "microexpnet-oulu-upstream", data: "Oulu-CASIA NIR&VIS (VIS, strong light), the last 3 frames of 480 sequences; 8 outputs in the CK+ label order" },
];
for (const { dir, name, data } of sources) {
  const network = readMicroExpNetCheckpoint(join(models, dir));
  const bytes = encodeWeights(network, {
    labels: UPSTREAM_LABELS,
    model: {
      name, version: "1.0.0",
      description: `The final MicroExpNet (${network.spec.id}, ${parameterCount(network.spec)} parameters) as published by the paper's authors.`,
      training: data,
      license: "MIT (Copyright (c) 2017 Ilke Cugu, Eren Sener, Emre Akbas); the training data is licensed for research use only",
      source: "Cugu, Sener, Akbas: MicroExpNet (arXiv 1711.07011), the authors' TF checkpoint Models/" + dir,
      input: "84x84 grayscale, raw 0..255, the paper's crop policy",
    },
  });
  decodeWeights(bytes, name); // never write a file the reader would reject
  const out = join(outDir, `${name}.mxw`);
  writeFileAtomic(out, bytes);
  console.log(`${out}: ${bytes.length} bytes`);
}
