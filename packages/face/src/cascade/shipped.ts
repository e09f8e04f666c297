import { prepareKernel } from "../detect/kernel.js";
import { compileCascade, type Cascade } from "./compile.js";
import { unpackCascade, type PackedCascade } from "./packed.js";
import type { CascadeSource } from "./types.js";

/** The cascades this package ships (from OpenCV 4.6's data, license in each one's `license`). */
export const SHIPPED_CASCADES = [
  "haarcascade_frontalface_default",
  "haarcascade_frontalface_alt2",
  "lbpcascade_frontalface_improved",
] as const;

export type ShippedCascadeName = (typeof SHIPPED_CASCADES)[number];

/** The paper's detector (PAPER.md, "Preprocessing"). */
export const PAPER_CASCADE: ShippedCascadeName = "haarcascade_frontalface_default";

// One dynamic import per cascade: bundlers put each in its own chunk, loaded on first use.
const importers: Record<ShippedCascadeName, () => Promise<{ default: PackedCascade }>> = {
  haarcascade_frontalface_default: () => import("../cascades/haarcascade_frontalface_default.generated.js"),
  haarcascade_frontalface_alt2: () => import("../cascades/haarcascade_frontalface_alt2.generated.js"),
  lbpcascade_frontalface_improved: () => import("../cascades/lbpcascade_frontalface_improved.generated.js"),
};

const loaded = new Map<ShippedCascadeName, Promise<Cascade>>();

function checkName(name: string): asserts name is ShippedCascadeName {
  if (!(SHIPPED_CASCADES as readonly string[]).includes(name)) {
    throw new Error(`unknown cascade "${name}"; shipped cascades: ${SHIPPED_CASCADES.join(", ")} (parseCascadeXml reads others)`);
  }
}

/** The numbers of a shipped cascade, as parseCascadeXml would read them from its XML. */
export async function loadCascadeSource(name: ShippedCascadeName): Promise<CascadeSource> {
  checkName(name);
  return unpackCascade((await importers[name]()).default);
}

/**
 * A shipped cascade, compiled once and shared. Defaults to the paper's detector. Also
 * readies the detector's WebAssembly kernel (see prepareDetector).
 */
export async function loadCascade(name: ShippedCascadeName = PAPER_CASCADE): Promise<Cascade> {
  checkName(name);
  let cascade = loaded.get(name);
  if (!cascade) {
    cascade = Promise.all([loadCascadeSource(name), prepareKernel()]).then(([source]) => compileCascade(source));
    loaded.set(name, cascade);
  }
  return cascade;
}
