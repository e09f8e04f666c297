/** Builds a trainable network by name: a family member or a teacher. */
import type * as tfl from "@tensorflow/tfjs-layers";
import { ARCHITECTURE_ALIASES, isArchitectureId } from "@microexp/infer";
import { buildFamilyModel, buildTeacher } from "@microexp/models";

export interface BuildOptions {
  numClasses: number;
  dropout: number;
  seed: number;
  /** Family members: the pixels' scale before conv1 and the bias initializer's std (the paper: 1 and 0.5). */
  inputScale?: number;
  biasStddev?: number;
}

export function isFamilyMember(name: string): boolean {
  return isArchitectureId(name) || name in ARCHITECTURE_ALIASES;
}

export function buildTrainable(name: string, options: BuildOptions): tfl.LayersModel {
  if (isFamilyMember(name)) return buildFamilyModel(name, options);
  if (options.inputScale !== undefined || options.biasStddev !== undefined) {
    throw new Error(`inputScale and biasStddev set up family members; ${name} has its own input scaling and initialisation`);
  }
  return buildTeacher(name, options);
}

/** The network options a training configuration fixes. */
export function buildOptionsOf(config: { dropout?: number; seed: number; inputScale?: number; biasStddev?: number }, numClasses: number): BuildOptions {
  return {
    numClasses, dropout: config.dropout ?? 0.5, seed: config.seed,
    ...(config.inputScale !== undefined ? { inputScale: config.inputScale } : {}),
    ...(config.biasStddev !== undefined ? { biasStddev: config.biasStddev } : {}),
  };
}
