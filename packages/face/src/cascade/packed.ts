import type { CascadeData, CascadeSource, FeatureType } from "./types.js";

/** The number lists of CascadeData, each as whitespace-separated text. */
type PackedLists = { readonly [K in keyof CascadeData as CascadeData[K] extends readonly number[] ? K : never]: string };

/**
 * How the shipped cascades are stored (src/cascades/*.generated.ts): CascadeData with each
 * number list as one string, which bundles to a third of the size of array literals and
 * parses faster.
 */
export interface PackedCascade extends PackedLists {
  readonly name: string;
  readonly license: string;
  readonly featureType: FeatureType;
  readonly windowWidth: number;
  readonly windowHeight: number;
  readonly maxCatCount: number;
}

function numbers(text: string): number[] {
  const trimmed = text.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/).map(Number);
}

export function unpackCascade(p: PackedCascade): CascadeSource {
  return {
    name: p.name,
    license: p.license,
    data: {
      featureType: p.featureType,
      windowWidth: p.windowWidth,
      windowHeight: p.windowHeight,
      maxCatCount: p.maxCatCount,
      stageThresholds: numbers(p.stageThresholds),
      stageTreeCounts: numbers(p.stageTreeCounts),
      treeNodeCounts: numbers(p.treeNodeCounts),
      nodes: numbers(p.nodes),
      leaves: numbers(p.leaves),
      features: numbers(p.features),
    },
  };
}
