/**
 * Teachers for knowledge distillation. The paper distils from an ImageNet-pretrained
 * Inception v3 (21.8 M parameters); here also a small VGG-like network that a CPU can train,
 * and any larger member of the family. All take the students' 84x84x1 raw 0..255 input.
 */
import * as tfl from "@tensorflow/tfjs-layers";
import { isArchitectureId, ARCHITECTURE_ALIASES } from "@microexp/infer";
import { buildFamilyModel } from "./family.js";
import { buildInceptionV3 } from "./inception-v3.js";
import { buildDsnet } from "./dsnet.js";

export interface TeacherOptions {
  numClasses: number;
  seed?: number;
  dropout?: number;
}

/** A VGG-like CNN: 3x3 convolutions in blocks of 32, 64, 128 filters with max-pooling, ~1.1 M parameters. */
export function buildVggSmall(options: TeacherOptions): tfl.Sequential {
  const seed = options.seed;
  let index = 0;
  const init = () => tfl.initializers.heNormal({ seed: seed === undefined ? undefined : seed * 64 + index++ });
  const model = tfl.sequential({ name: "teacher_vgg_small" });
  const conv = (filters: number, first = false) =>
    model.add(tfl.layers.conv2d({
      ...(first ? { inputShape: [84, 84, 1] } : {}), filters, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(),
    }));
  // Scale raw pixels to 0..1 so that He initialisation holds.
  model.add(tfl.layers.rescaling({ scale: 1 / 255, inputShape: [84, 84, 1] }));
  conv(32); conv(32);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  conv(64); conv(64);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  conv(128);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 64, activation: "relu", kernelInitializer: init() }));
  model.add(tfl.layers.dropout({ rate: options.dropout ?? 0.5 }));
  model.add(tfl.layers.dense({ units: options.numClasses, kernelInitializer: init() }));
  return model;
}

export const TEACHERS = {
  "vgg-small": "VGG-like CNN, 3x3 convs 32-32-64-64-128, ~1.1 M parameters: trainable on a CPU",
  dsnet: "depthwise-separable CNN with batch norm, residual blocks and global pooling, ~80 k parameters, ~9.5 M multiply-adds: in-the-wild faces",
  "inception-v3": "Inception v3 (the paper's teacher, 21.8 M parameters): needs tfjs-node or a GPU; can start from converted ImageNet weights",
} as const;

/** A teacher by name: "vgg-small", "inception-v3", or any family member ("p1-M", ...). */
export function buildTeacher(name: string, options: TeacherOptions): tfl.LayersModel {
  if (name === "vgg-small") return buildVggSmall(options);
  if (name === "dsnet") return buildDsnet(options);
  if (name === "inception-v3") return buildInceptionV3({ ...options, inputSize: 84, channels: 1 });
  if (isArchitectureId(name) || name in ARCHITECTURE_ALIASES) return buildFamilyModel(name, options);
  throw new Error(`Unknown teacher "${name}". Known: ${Object.keys(TEACHERS).join(", ")}, or a family member such as p1-M`);
}
