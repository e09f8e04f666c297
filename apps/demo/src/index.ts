// @microexp/demo: the pieces of the reference app, for its tests and benchmark.
export { analyzePhoto, findFaces, labelFaces, type LabelledFace } from "./analyze.js";
export { DEFAULT_TRACKER_OPTIONS, FaceTracker, overlap, type TrackedFace, type TrackerOptions } from "@microexp/face";
export { ScoreSmoother } from "./smooth-scores.js";
export { runCli, EXIT_FILE_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from "./cli/program.js";
