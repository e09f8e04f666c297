/**
 * Any trained tfjs-layers network (functional or Sequential) as a runtime layer graph and its
 * tensors: each batch norm folds into the convolution, depthwise convolution or dense layer
 * before it (which gains a bias if it had none), a ReLU that follows such a layer or an add
 * fuses into it, dropout disappears. A layer the graph cannot express is refused by name.
 * The paper's family keeps its own export (networkFromModel: the authors' tensor names).
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { GraphNode, LayerGraph, NetworkWeights } from "@microexp/infer";
import { analyzeGraph, GRAPH_INPUT } from "@microexp/infer";
import { recogniseAcrossCopies } from "@microexp/infer/internal";

type SymbolicTensor = tfl.SymbolicTensor;
type Layer = tfl.layers.Layer;

export class GraphExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphExportError";
  }
}
recogniseAcrossCopies(GraphExportError, "@microexp/models:GraphExportError");

export interface GraphExportOptions {
  /** The graph's name (default: the model's name). */
  name?: string;
}

/** The tensor that produced `tensor`'s layer call: its inputs. */
function inputsOf(tensor: SymbolicTensor): SymbolicTensor[] {
  const node = tensor.sourceLayer.inboundNodes[tensor.nodeIndex];
  return node ? node.inputTensors : [];
}

/** The model's layer calls from its input to its output, each after the ones it reads. */
function callOrder(output: SymbolicTensor): SymbolicTensor[] {
  const order: SymbolicTensor[] = [];
  const seen = new Set<number>();
  const visit = (tensor: SymbolicTensor) => {
    if (seen.has(tensor.id)) return;
    seen.add(tensor.id);
    for (const input of inputsOf(tensor)) visit(input);
    order.push(tensor);
  };
  visit(output);
  return order;
}

/** A square pair ([3, 3] or 3) as one number, or undefined when the two sides differ. */
function square(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (Array.isArray(value) && value.length === 2 && value[0] === value[1] && typeof value[0] === "number") return value[0];
  return undefined;
}

/** A layer's weights by their short names (kernel, bias, gamma, moving_mean, ...). */
function weightsByName(layer: Layer): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  layer.weights.forEach((weight, i) => {
    const short = weight.originalName.split("/").pop()!;
    const value = layer.getWeights()[i];
    out.set(short, { shape: value.shape, values: Float32Array.from(value.dataSync()) });
  });
  return out;
}

/** Builds the graph and tensors of a trained model; throws a GraphExportError naming what it cannot express. */
export function graphFromModel(model: tfl.LayersModel, options: GraphExportOptions = {}): NetworkWeights {
  const where = `model ${model.name}`;
  const fail = (message: string): never => {
    throw new GraphExportError(`${where}: ${message}`);
  };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) fail(`has ${model.inputs.length} inputs and ${model.outputs.length} outputs; the runtime takes one image and gives one vector of logits`);
  const [, height, width, channels] = model.inputs[0].shape;
  if (height !== width || channels !== 1 || typeof height !== "number") {
    fail(`takes input [${model.inputs[0].shape.slice(1).join(", ")}]; the runtime takes a square one-channel image [size, size, 1]`);
  }

  const calls = callOrder(model.outputs[0]);
  /** How many layer calls read each tensor: a layer folds into or fuses with the one before only when it is that one's sole reader. */
  const readers = new Map<number, number>();
  for (const tensor of calls) for (const input of inputsOf(tensor)) readers.set(input.id, (readers.get(input.id) ?? 0) + 1);

  const nodes: GraphNode[] = [];
  const tensors: Record<string, Float32Array> = {};
  /** The graph node that holds each tfjs tensor's value. */
  const valueOf = new Map<number, string>();
  const producer = new Map<string, GraphNode>();
  const push = (node: GraphNode, tensor: SymbolicTensor) => {
    if (node.name === GRAPH_INPUT) fail(`layer "${GRAPH_INPUT}" has the name the graph gives the network's input; rename it`);
    nodes.push(node);
    producer.set(node.name, node);
    valueOf.set(tensor.id, node.name);
  };

  for (const tensor of calls) {
    const layer = tensor.sourceLayer as Layer;
    const className = layer.getClassName();
    const at = `layer ${layer.name} (${className})`;
    const config = layer.getConfig();
    const inputs = inputsOf(tensor).map((input) => valueOf.get(input.id)!);
    const [from] = inputs;
    const sameAsInput = () => valueOf.set(tensor.id, from);
    /** The node that made this layer's input, when this layer is its only reader (so it may change it). */
    const soleProducer = (): GraphNode | undefined => {
      const [input] = inputsOf(tensor);
      return readers.get(input.id) === 1 && from !== GRAPH_INPUT ? producer.get(from) : undefined;
    };
    const activationOf = (): boolean => {
      const activation = config.activation ?? "linear";
      if (activation !== "linear" && activation !== "relu") fail(`${at} has activation "${String(activation)}"; the graph has ReLU only (the runtime applies softmax itself)`);
      return activation === "relu";
    };
    const windowOf = (kernelKey: string) => {
      const kernel = square(config[kernelKey]);
      const stride = square(config.strides);
      if (kernel === undefined || stride === undefined) fail(`${at} has a non-square window ${JSON.stringify(config[kernelKey])} or strides ${JSON.stringify(config.strides)}`);
      if ((config.dataFormat ?? "channelsLast") !== "channelsLast") fail(`${at} is ${String(config.dataFormat)}; the graph is channels-last`);
      if (config.dilationRate !== undefined && square(config.dilationRate) !== 1) fail(`${at} has dilation ${JSON.stringify(config.dilationRate)}; the graph has none`);
      // A 1x1 window reads the same cells with "valid" padding as with "same".
      if (config.padding !== "same" && !(config.padding === "valid" && kernel === 1)) fail(`${at} has padding "${String(config.padding)}"; the graph pads windows as TensorFlow's "same"`);
      return { kernel: kernel!, stride: stride! };
    };
    const parameters = (name: string, keys: { kernel: string }) => {
      const weights = weightsByName(layer);
      const kernel = weights.get(keys.kernel);
      if (!kernel) return fail(`${at} has no ${keys.kernel} weight`);
      tensors[`${name}/kernel`] = kernel.values;
      const bias = weights.get("bias");
      if (bias) tensors[`${name}/bias`] = bias.values;
      return { weights: `${name}/kernel`, ...(bias ? { bias: `${name}/bias` } : {}) };
    };

    switch (className) {
      case "InputLayer":
        valueOf.set(tensor.id, GRAPH_INPUT);
        break;
      case "Dropout":
      case "SpatialDropout1D":
        sameAsInput();
        break;
      case "Rescaling":
        push({ op: "rescale", name: layer.name, inputs: [from], scale: Number(config.scale), offset: Number(config.offset ?? 0) }, tensor);
        break;
      case "Conv2D": {
        const { kernel, stride } = windowOf("kernelSize");
        const relu = activationOf();
        push({ op: "conv2d", name: layer.name, inputs: [from], kernel, stride, filters: Number(config.filters), ...parameters(layer.name, { kernel: "kernel" }), ...(relu ? { relu } : {}) }, tensor);
        break;
      }
      case "DepthwiseConv2D": {
        if ((config.depthMultiplier ?? 1) !== 1) fail(`${at} has depth multiplier ${String(config.depthMultiplier)}; the graph's depthwise convolution has 1`);
        const { kernel, stride } = windowOf("kernelSize");
        const relu = activationOf();
        push({ op: "depthwiseConv2d", name: layer.name, inputs: [from], kernel, stride, ...parameters(layer.name, { kernel: "depthwise_kernel" }), ...(relu ? { relu } : {}) }, tensor);
        break;
      }
      case "Dense": {
        const relu = activationOf();
        push({ op: "dense", name: layer.name, inputs: [from], units: Number(config.units), ...parameters(layer.name, { kernel: "kernel" }), ...(relu ? { relu } : {}) }, tensor);
        break;
      }
      case "MaxPooling2D": {
        const size = square(config.poolSize);
        const stride = square(config.strides ?? config.poolSize);
        if (size === undefined || stride === undefined) return fail(`${at} has a non-square window ${JSON.stringify(config.poolSize)} or strides ${JSON.stringify(config.strides)}`);
        if (config.padding !== "same") fail(`${at} has padding "${String(config.padding)}"; the graph pads windows as TensorFlow's "same"`);
        if ((config.dataFormat ?? "channelsLast") !== "channelsLast") fail(`${at} is ${String(config.dataFormat)}; the graph is channels-last`);
        push({ op: "maxPool", name: layer.name, inputs: [from], size, stride }, tensor);
        break;
      }
      case "GlobalAveragePooling2D":
        if ((config.dataFormat ?? "channelsLast") !== "channelsLast") fail(`${at} is ${String(config.dataFormat)}; the graph is channels-last`);
        push({ op: "globalAvgPool", name: layer.name, inputs: [from] }, tensor);
        break;
      case "Flatten":
        push({ op: "flatten", name: layer.name, inputs: [from] }, tensor);
        break;
      case "Add":
        if (inputs.length !== 2) fail(`${at} adds ${inputs.length} tensors; the graph's add takes 2`);
        push({ op: "add", name: layer.name, inputs: [inputs[0], inputs[1]] }, tensor);
        break;
      case "ReLU":
      case "Activation": {
        if (className === "ReLU" && config.maxValue != null) fail(`${at} caps at ${String(config.maxValue)}; the graph's ReLU has no cap`);
        if (className === "Activation" && !activationOf()) {
          sameAsInput();
          break;
        }
        const before = soleProducer();
        if (before && (before.op === "conv2d" || before.op === "depthwiseConv2d" || before.op === "dense" || before.op === "add") && !before.relu) {
          before.relu = true;
          sameAsInput();
        } else {
          push({ op: "relu", name: layer.name, inputs: [from] }, tensor);
        }
        break;
      }
      case "BatchNormalization":
      case "BatchNorm": {
        const axis = config.axis ?? -1;
        if (axis !== -1 && axis !== 3) fail(`${at} normalises axis ${String(axis)}; only the channel axis (-1) folds into a convolution`);
        const before = soleProducer();
        if (!before || (before.op !== "conv2d" && before.op !== "depthwiseConv2d" && before.op !== "dense") || before.relu) {
          const what = before ? `${before.op} ${before.name}${"relu" in before && before.relu ? " with a ReLU" : ""}` : from === GRAPH_INPUT ? "the input" : `${from}, which another layer reads too`;
          return fail(`${at} follows ${what}: a batch norm folds only into the convolution or dense layer right before it, with no activation between`);
        }
        foldBatchNorm(before, weightsByName(layer), Number(config.epsilon ?? 1e-3), tensors, at, fail);
        sameAsInput();
        break;
      }
      default:
        fail(`${at}: the layer graph has no ${className} (it takes Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, Activation("relu"), MaxPooling2D, Add, GlobalAveragePooling2D, Flatten, Dropout, Dense)`);
    }
  }
  const out = valueOf.get(model.outputs[0].id);
  if (out === undefined || out === GRAPH_INPUT || nodes[nodes.length - 1].name !== out) fail(`its output is not made by its last layer`);
  const graph: LayerGraph = { name: options.name ?? model.name, inputSize: height!, nodes };
  try {
    analyzeGraph(graph);
  } catch (error) {
    fail((error as Error).message);
  }
  return { graph, tensors };
}

/**
 * y = gamma (x - mean) / sqrt(var + eps) + beta after x = conv(W) + b is conv(W s) + (b - mean) s + beta,
 * s = gamma / sqrt(var + eps), one factor per output channel (the kernel's last axis; a
 * depthwise kernel [k, k, c, 1] has its channel on axis 2, which is the same stride-1 index).
 */
function foldBatchNorm(node: GraphNode & { weights: string; bias?: string }, weights: Map<string, { values: Float32Array }>, epsilon: number, tensors: Record<string, Float32Array>, at: string, fail: (message: string) => never): void {
  const mean = weights.get("moving_mean")?.values;
  const variance = weights.get("moving_variance")?.values;
  if (!mean || !variance) return fail(`${at} has no moving_mean or moving_variance weight`);
  const channels = mean.length;
  const gamma = weights.get("gamma")?.values ?? new Float32Array(channels).fill(1);
  const beta = weights.get("beta")?.values ?? new Float32Array(channels);
  const kernel = tensors[node.weights];
  if (kernel.length % channels !== 0) fail(`${at} has ${channels} channels; ${node.name}'s kernel has ${kernel.length} values`);
  const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + epsilon));
  tensors[node.weights] = kernel.map((w, i) => w * scale[i % channels]);
  const bias = node.bias ? tensors[node.bias] : new Float32Array(channels);
  const biasName = node.bias ?? `${node.name}/bias`;
  tensors[biasName] = Float32Array.from(bias, (b, c) => (b - mean[c]) * scale[c] + beta[c]);
  node.bias = biasName;
}
