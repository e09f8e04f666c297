/**
 * The registry of trainable networks: one entry per name, the only place that knows which
 * names exist, what each is, how to build it and whether the runtime can run it. Trainers,
 * exporters and the command line ask it instead of keeping their own lists. Labels are not
 * part of an entry: a network gets its classes from the data it is trained on.
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { LayerGraph } from "@microexp/infer";
import { allArchitectureIds, architectureGraph, ARCHITECTURE_ALIASES, describeArchitecture, INPUT_SIZE, isArchitectureId, multiplyAdds, parameterCount, resolveArchitectureId } from "@microexp/infer";
import { buildDsnet, DSNET_WIDE_WIDTHS } from "./dsnet.js";
import { buildFamilyModel } from "./family.js";
import { graphFromModel } from "./graph-export.js";
import { buildInceptionV3 } from "./inception-v3.js";
import { buildVggSmall } from "./vgg-small.js";
import { recogniseAcrossCopies } from "@microexp/infer/internal";

export interface NetworkOptions {
  numClasses: number;
  /** Seeds every initializer, so a seed fixes the initial weights. */
  seed?: number;
  /** Dropout rate before the logits layer while training. */
  dropout?: number;
  /** Family members only: the pixels' scale before conv1 and the bias initializer's std (the paper: 1 and 0.5). */
  inputScale?: number;
  biasStddev?: number;
}

export interface RegisteredNetwork {
  /** The canonical name: a family id ("p12-XXS") or a network's name ("dsnet"). */
  readonly name: string;
  readonly description: string;
  /** Side of the square grayscale input, raw 0..255 pixels (the paper's 84). */
  readonly inputSize: number;
  /** A member of the paper's candidate family: takes inputScale and biasStddev. */
  readonly family: boolean;
  /** Trained weights can be written as a weights file that @microexp/infer runs. */
  readonly exportable: boolean;
  /** The network as a tfjs-layers model that outputs logits. */
  build(options: NetworkOptions): tfl.LayersModel;
  /** The runtime's layer graph of this network (throws GraphExportError when not exportable). */
  graph(numClasses: number): LayerGraph;
}

export class UnknownNetworkError extends Error {
  constructor(name: string) {
    super(`Unknown network "${name}". Known: ${registeredNetworkNames().join(", ")}`);
    this.name = "UnknownNetworkError";
  }
}
recogniseAcrossCopies(UnknownNetworkError, "@microexp/models:UnknownNetworkError");

/** The graph of a network the runtime can run, read off an untrained copy. */
function graphOfBuilt(build: (options: NetworkOptions) => tfl.LayersModel, name: string, numClasses: number): LayerGraph {
  const model = build({ numClasses, seed: 0 });
  try {
    return graphFromModel(model, { name }).graph;
  } finally {
    model.dispose();
  }
}

function family(id: string): RegisteredNetwork {
  const spec = describeArchitecture(id);
  return {
    name: id,
    description: `MicroExpNet family member ${id}: ${parameterCount(spec).toLocaleString("en-US")} weights, ${(multiplyAdds(spec) / 1e6).toFixed(2)} M multiply-adds (8 classes)`,
    inputSize: spec.inputSize,
    family: true,
    exportable: true,
    build: (options) => buildFamilyModel(id, options),
    graph: (numClasses) => architectureGraph(id, numClasses),
  };
}

function network(name: string, description: string, exportable: boolean, build: (options: NetworkOptions) => tfl.LayersModel): RegisteredNetwork {
  const checked = (options: NetworkOptions) => {
    if (options.inputScale !== undefined || options.biasStddev !== undefined) {
      throw new Error(`inputScale and biasStddev set up family members; ${name} has its own input scaling and initialisation`);
    }
    return build(options);
  };
  return { name, description, inputSize: INPUT_SIZE, family: false, exportable, build: checked, graph: (numClasses) => graphOfBuilt(checked, name, numClasses) };
}

const NETWORKS: readonly RegisteredNetwork[] = [
  ...allArchitectureIds().map(family),
  network("dsnet", "depthwise-separable CNN with batch norm, residual blocks and global pooling, ~80 k weights, ~9.5 M multiply-adds: in-the-wild faces", true, (options) => buildDsnet(options)),
  network("dsnet-wide", "dsnet with a quarter more channels after the stem, ~124 k weights, ~14 M multiply-adds: in-the-wild faces, a single crop within 1 ms", true,
    (options) => buildDsnet(options, DSNET_WIDE_WIDTHS, "dsnet-wide")),
  network("vgg-small", "VGG-like CNN, 3x3 convs 32-32-64-64-128, ~1.1 M weights: a teacher a CPU can train", true, buildVggSmall),
  network("inception-v3", "Inception v3 (the paper's teacher, 21.8 M weights): needs tfjs-node or a GPU", false,
    (options) => buildInceptionV3({ ...options, inputSize: INPUT_SIZE, channels: 1 })),
];

const BY_NAME = new Map(NETWORKS.map((entry) => [entry.name, entry]));

/** The entry of a name or family alias ("microexpnet" -> p12-XXS), or undefined. */
export function findNetwork(name: string): RegisteredNetwork | undefined {
  const canonical = isArchitectureId(name) || name in ARCHITECTURE_ALIASES ? resolveArchitectureId(name) : name;
  return BY_NAME.get(canonical);
}

/** The entry of a name or family alias; throws UnknownNetworkError listing the known names. */
export function registeredNetwork(name: string): RegisteredNetwork {
  const entry = findNetwork(name);
  if (!entry) throw new UnknownNetworkError(name);
  return entry;
}

/** Every registered network, family members first. */
export function registeredNetworks(): readonly RegisteredNetwork[] {
  return NETWORKS;
}

/** Every name `registeredNetwork` takes: the family's aliases, then the canonical names. */
export function registeredNetworkNames(): string[] {
  return [...Object.keys(ARCHITECTURE_ALIASES), ...NETWORKS.map((entry) => entry.name)];
}

/** A member of the paper's candidate family, by id or alias. */
export function isFamilyMember(name: string): boolean {
  return findNetwork(name)?.family ?? false;
}
