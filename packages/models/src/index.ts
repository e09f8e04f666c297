export * from "./family.js";
export * from "./network-io.js";
export * from "./tf-forward.js";
export * from "./checkpoint/tensor-bundle.js";
export * from "./checkpoint/upstream.js";
