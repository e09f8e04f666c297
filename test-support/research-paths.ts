// Where tests and benchmarks find the research material that a clone does not hold (see the
// root README, "Research data"): each path is settable, and defaults to the folders beside the
// repository that the project's own machines use.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const beside = fileURLToPath(new URL("../../shared/", import.meta.url));

/** The datasets (ckplus48, ckplus-peak-neutral48, fer2013, ...): MICROEXP_DATA. */
export const DATA_ROOT = process.env.MICROEXP_DATA ?? join(beside, "data");

/** The authors' checkpoints, OpenCV's cascades and public photos: MICROEXP_REFERENCE. */
export const REFERENCE_ROOT = process.env.MICROEXP_REFERENCE ?? join(beside, "reference");

/** The authors' MicroExpNet checkpoints (Models/CK, Models/OuluCASIA). */
export const UPSTREAM_MODELS = join(REFERENCE_ROOT, "microexpnet-upstream", "Models");

/** A Markdown summary of the paper's tables (the team's notes): MICROEXP_PAPER. */
export const PAPER_FILE = process.env.MICROEXP_PAPER ?? join(beside, "PAPER.md");
