/** Features a cascade compares: Haar-like rectangle sums or local binary patterns. */
export type FeatureType = "HAAR" | "LBP";

/**
 * A trained OpenCV cascade (the "opencv-cascade-classifier" XML format) as plain numbers:
 * what the XML says, nothing precomputed. This is what parseCascadeXml returns and what the
 * shipped cascades are stored as; compileCascade turns it into a Cascade the detector runs.
 */
export interface CascadeData {
  readonly featureType: FeatureType;
  /** The window the cascade was trained on, in pixels (24x24 for the frontal-face cascades). */
  readonly windowWidth: number;
  readonly windowHeight: number;
  /** 0 for ordered (Haar) features; the number of categories (256) for LBP features. */
  readonly maxCatCount: number;
  /** Per stage: the threshold its summed tree outputs must reach, as written in the XML. */
  readonly stageThresholds: readonly number[];
  /** Per stage: how many trees it has. */
  readonly stageTreeCounts: readonly number[];
  /** Per tree: how many internal nodes it has (1 for a stump). */
  readonly treeNodeCounts: readonly number[];
  /**
   * Per internal node: left, right, feature index, then the threshold (ordered features) or
   * ceil(maxCatCount / 32) category-subset words (LBP). A child <= 0 is leaf number -child.
   */
  readonly nodes: readonly number[];
  /** Per tree: nodeCount + 1 leaf values. */
  readonly leaves: readonly number[];
  /**
   * HAAR: per feature 16 numbers, tilted (0/1) then 3 x (x, y, width, height, weight), a
   * missing third rectangle as zeros. LBP: per feature x, y, width, height of one block.
   */
  readonly features: readonly number[];
}

/** A cascade together with where it came from and the license text it carries. */
export interface CascadeSource {
  /** A name for messages, e.g. the XML file's base name. */
  readonly name: string;
  /** The header comment of the XML file (the cascade's license and credits). */
  readonly license: string;
  readonly data: CascadeData;
}

/** Numbers per Haar feature in CascadeData.features. */
export const HAAR_FEATURE_STRIDE = 16;
/** Numbers per LBP feature in CascadeData.features. */
export const LBP_FEATURE_STRIDE = 4;
