/** Builds a trainable network by name, from models' registry. */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { NetworkOptions } from "@microexp/models";
import { registeredNetwork } from "@microexp/models";

export interface BuildOptions extends NetworkOptions {
  dropout: number;
  seed: number;
}

export function buildTrainable(name: string, options: BuildOptions): tfl.LayersModel {
  return registeredNetwork(name).build(options);
}

/** The network options a training configuration fixes. */
export function buildOptionsOf(config: { dropout?: number; seed: number; inputScale?: number; biasStddev?: number }, numClasses: number): BuildOptions {
  return {
    numClasses, dropout: config.dropout ?? 0.5, seed: config.seed,
    ...(config.inputScale !== undefined ? { inputScale: config.inputScale } : {}),
    ...(config.biasStddev !== undefined ? { biasStddev: config.biasStddev } : {}),
  };
}
