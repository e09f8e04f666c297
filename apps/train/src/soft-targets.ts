// Per-face soft targets for the label term: FER+ crowd votes for FER2013 faces.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ferPlusDistribution, readFerPlusVotes } from "@microexp/datasets";
import type { DatasetKind } from "./data.js";
import { UsageError } from "./errors.js";
import type { PreparedData } from "./prepare.js";
import type { ProgressDisplay } from "./progress.js";

/**
 * Sets `data.crops.softTargets` from `<data>/ferplus.csv`: each face's FER+ votes over the
 * run's labels; a face without votes there keeps its one-hot label (so mixing leaves it as is).
 */
export async function attachSoftTargets(data: PreparedData, kind: "ferplus", dataset: DatasetKind, dataPath: string, progress: ProgressDisplay): Promise<void> {
  if (dataset !== "fer2013") throw new UsageError(`--soft-targets ${kind} needs --dataset fer2013 (FER+ votes exist for FER2013's faces only)`);
  const file = join(resolve(dataPath), "ferplus.csv");
  if (!existsSync(file)) throw new UsageError(`--soft-targets ferplus: ${file} not found (FER+ votes matched to this release; see ../shared/data/README.md)`);
  const votes = await readFerPlusVotes(file);
  const labels = data.manifest.labelNames;
  const classes = labels.length;
  const targets = new Float32Array(data.manifest.entries.length * classes);
  let voted = 0;
  data.manifest.entries.forEach((entry, i) => {
    const v = votes.get(entry.path);
    const distribution = v ? ferPlusDistribution(v, labels) : undefined;
    if (distribution) {
      targets.set(distribution, i * classes);
      voted++;
    } else {
      targets[i * classes + entry.label] = 1;
    }
  });
  progress.log(`soft targets: FER+ votes for ${voted} of ${data.manifest.entries.length} faces (the others keep their label)`);
  data.crops.softTargets = targets;
}
