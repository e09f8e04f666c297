// Node-only helpers (they read files); everything else is in the main entry.
export * from "./checkpoint/read-checkpoint.js";
export * from "./write-file-atomic.js";
