/** Builds a trainable network by name: a family member or a teacher. */
import type * as tfl from "@tensorflow/tfjs-layers";
import { ARCHITECTURE_ALIASES, isArchitectureId } from "@microexp/infer";
import { buildFamilyModel, buildTeacher } from "@microexp/models";

export interface BuildOptions {
  numClasses: number;
  dropout: number;
  seed: number;
}

export function isFamilyMember(name: string): boolean {
  return isArchitectureId(name) || name in ARCHITECTURE_ALIASES;
}

export function buildTrainable(name: string, options: BuildOptions): tfl.LayersModel {
  return isFamilyMember(name) ? buildFamilyModel(name, options) : buildTeacher(name, options);
}
