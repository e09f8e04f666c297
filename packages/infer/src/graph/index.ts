export * from "./layer-graph.js";
export { analyzeGraph, GraphError, graphMultiplyAdds, graphParameterCount } from "./analyze.js";
export type { GraphAnalysis, GraphParameter } from "./analyze.js";
export { architectureGraph, familyGraph, familyNetwork } from "./family.js";
