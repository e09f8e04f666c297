// @microexp/distill's public entry; what only the project's own apps and tests need is in ./internal.
export { selectBackend, BACKEND_PREFERENCES, setSimdTrainingKernels, type BackendInfo, type BackendPreference } from "./backend/index.js";
export * from "./losses.js";
export { CROPS_PER_IMAGE, CROP_PIXELS, allocateCropSet, type CropSet } from "./crop-set.js";
export * from "./load-crops.js";
export { CheckpointError, readCheckpoint, writeCheckpoint, type CheckpointState, type SavedTensor } from "./checkpoint.js";
export {
  loadOnlineTeacher, modelFromCheckpoint, modelFromRunCheckpoint, trainStudent,
  type EpochSummary, type OnlineTeacher, type TrainConfig, type TrainHooks, type TrainProgress, type TrainResult,
} from "./train.js";
export {
  INFERENCE_CROP_INDEX, createRunner, evaluate, metricsFromLogits, policyAccuracy, predictCrops, predictModelCrops,
  type Metrics, type ModelRunner, type PolicyAccuracy, type RunnerKind,
} from "./evaluate.js";
export {
  cachedTeacherLogits, cachedTeacherMetrics, readFoldResult, runFold,
  type FoldEvent, type FoldJob, type FoldResult, type TeacherJob, type TeacherLogits, type TeacherOptions,
} from "./fold.js";
export * from "./cross-validate.js";
export * from "./fold-thread.js";
export * from "./init-weights.js";
export type { AugmentOptions } from "./augment.js";
export { DEFAULT_AUGMENT } from "./augment.js";
export type { EpochSampling } from "./samples.js";
export { EPOCH_SAMPLINGS } from "./samples.js";
export type { LearningRateSchedule } from "./schedule.js";
export { OPTIMIZER_KINDS, type OptimizerOptions } from "./optimizer.js";
export { SCHEDULE_KINDS } from "./schedule.js";
export { TEACHER_CROP_TARGETS, meanOverCrops, type TeacherCropTargets } from "./teacher-crops.js";
