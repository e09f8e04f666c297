// Multiply-adds of one forward pass per image (conv and dense layers), for the bench tables.
export function forwardMacs(model) {
  let macs = 0;
  for (const layer of model.layers) {
    const kernel = layer.getWeights()[0];
    // Batch norm's first weight is gamma: a scale per channel, not a layer of multiply-adds.
    if (kernel === undefined || layer.getClassName() === "BatchNorm") continue;
    const out = layer.outputShape;
    const positions = out.length === 4 ? out[1] * out[2] : 1;
    macs += positions * kernel.size;
  }
  return macs;
}
