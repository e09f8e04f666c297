export { DatasetError } from "./errors.js";
export type { Manifest, ManifestEntry, SkippedItem, SkipReason } from "./manifest.js";
export { SKIP_REASONS } from "./manifest.js";
export { hashManifest, hashManifestContents } from "./manifest-hash.js";
export { validateManifest, type ValidateOptions } from "./validate.js";
export { checkClasses, type CheckClassesOptions } from "./check-classes.js";
export { summarizeManifest, formatSummary, type ManifestSummary, type SkipSummary } from "./summary.js";
export {
  CK_PLUS_LABELS,
  CK_PLUS_EMOTIONS,
  OULU_CASIA_LABELS,
  FER2013_LABELS,
  canonicalClassName,
  findLabel,
} from "./labels.js";
export { parseCkPlusName, isImageFile, isSystemFile, type CkPlusName } from "./file-names.js";
export { loadCkPlus, type CkPlusOptions } from "./ckplus.js";
export { loadOuluCasia, type OuluCasiaOptions } from "./oulu-casia.js";
export { loadFolderDataset, type FolderDatasetOptions } from "./folder.js";
export { loadFer2013, type Fer2013Options, type Fer2013Part } from "./fer2013.js";
export {
  readLabelList,
  writeLabelList,
  type ReadLabelListOptions,
  type WriteLabelListOptions,
} from "./label-list.js";
export { Mulberry32, mulberry32, shuffle } from "./prng.js";
export type { Split, Fold, SplitProtocol } from "./split.js";
export { foldEntries, validateSplit } from "./split.js";
export { randomKFold, type KFoldOptions } from "./kfold.js";
export { subjectKFold } from "./subject-kfold.js";
export { fer2013Split, splitFromBatchFolders } from "./predefined.js";
export { saveSplit, loadSplit, splitToJson, splitFromJson, type SplitJson } from "./split-file.js";
export {
  FERPLUS_LABELS,
  readFerPlusVotes,
  ferPlusDistribution,
  ferPlusMajority,
  type FerPlusVotes,
  type FerPlusMatch,
} from "./ferplus.js";
