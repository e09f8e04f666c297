export * from "./family.js";
export * from "./network-io.js";
export * from "./tf-forward.js";
export * from "./teachers.js";
export * from "./dsnet.js";
export * from "./inception-v3.js";
export * from "./checkpoint/tensor-bundle.js";
export * from "./checkpoint/upstream.js";
