// The models compared, each behind one interface: `predict(image, box)` -> scores in the
// model's own label order, from decoded pixels and a face box, with the model's own preprocessing.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DEFAULT_MODEL, MODEL_ZOO } from "@microexp/infer";
import { loadClassifierFromFile, loadModel } from "@microexp/infer/node";
import { basename } from "node:path";
import { humanEmotionInput } from "./human-input.mjs";
import { cropRgb } from "./pixels.mjs";
import { fileModelHandler, readWeightMap } from "./tfjs-files.mjs";

// face-api's node-wasm build require()s @tensorflow/tfjs: the bench must use that same (CommonJS)
// instance, or the peers' tensors would live in another engine.
const require = createRequire(import.meta.url);

/** The shipped MicroExpNet weights (the paper's network); the default model may differ one day. */
export const MICROEXPNET_MODEL = "microexpnet-fer2013";

/**
 * A prediction's probabilities in label order: with several crops, classify()'s answer is the
 * most probable label of the crops' mean probabilities, which the mean logits need not share.
 */
function probabilities(prediction) {
  return Float32Array.from(prediction.scores, (s) => s.probability);
}

/** microexp rows: every shipped model, the default first; the MicroExpNet row must be the paper's network. */
export async function microexpModels() {
  if (!(MICROEXPNET_MODEL in MODEL_ZOO)) throw new Error(`@microexp/infer ships no model "${MICROEXPNET_MODEL}"`);
  const names = [DEFAULT_MODEL, ...Object.keys(MODEL_ZOO).filter((name) => name !== DEFAULT_MODEL)];
  const models = [];
  for (const name of names) {
    const classifier = await loadModel(name);
    const architecture = classifier.weights.network.spec?.id ?? classifier.weights.network.graph.name;
    if (name === MICROEXPNET_MODEL && architecture !== "p12-XXS") {
      throw new Error(`${name}: architecture ${architecture}, but the MicroExpNet row needs the paper's p12-XXS`);
    }
    const roles = [name === DEFAULT_MODEL ? "default" : null, name === MICROEXPNET_MODEL ? "MicroExpNet" : null].filter(Boolean);
    models.push({
      id: `microexp:${name}`,
      name: `microexp ${roles.length ? `${roles.join(" = ")} ` : ""}(${name} ${classifier.weights.model.version ?? "?"}, ${architecture}, classify() "${classifier.crops}")`,
      labels: classifier.labels,
      runtime: `@microexp/infer ${packageVersion("@microexp/infer")}, engine ${classifier.engineKind}`,
      predict: async (image, box) => probabilities(classifier.classify(image, box ?? undefined)),
    });
  }
  return models;
}

/**
 * A weights file that does not ship (a candidate, e.g. a network a training run published), as
 * a row beside the shipped ones: `classify()` with its default crop policy.
 */
export async function microexpFileModel(file) {
  const classifier = await loadClassifierFromFile(file);
  const { network, model } = classifier.weights;
  const architecture = network.spec?.id ?? network.graph.name;
  return {
    id: `microexp-file:${basename(file)}`,
    name: `microexp candidate ${basename(file)} (${model.name ?? "?"} ${model.version ?? "?"}, ${architecture}, classify() "${classifier.crops}")`,
    labels: classifier.labels,
    runtime: `@microexp/infer ${packageVersion("@microexp/infer")}, engine ${classifier.engineKind}`,
    predict: async (image, box) => probabilities(classifier.classify(image, box ?? undefined)),
  };
}

/** tfjs on the WebAssembly backend, one thread, as the peers' node-wasm builds run. */
export async function wasmTf() {
  const tf = require("@tensorflow/tfjs");
  const wasm = require("@tensorflow/tfjs-backend-wasm");
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend did not initialise");
  await tf.ready();
  return { tf, threads: wasm.getThreadsCount(), version: tf.version_core };
}

/** @vladmandic/face-api's FaceExpressionNet, run through the library's own predictExpressions. */
export async function faceApiModel(tf) {
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js");
  const folder = join(packageFolder("@vladmandic/face-api"), "model");
  const net = faceapi.nets.faceExpressionNet;
  net.loadFromWeightMap(readWeightMap(tf, join(folder, "face_expression_model-weights_manifest.json")));
  return {
    id: "face-api",
    name: "@vladmandic/face-api (FaceExpressionNet)",
    labels: [...faceapi.FACE_EXPRESSION_LABELS],
    runtime: `@vladmandic/face-api ${packageVersion("@vladmandic/face-api")}, tfjs-backend-wasm ${tf.version_core}`,
    predict: async (image, box) => {
      // What detectAllFaces().withFaceExpressions() does after detection: the box sliced out
      // of the int32 RGB image tensor, then predictExpressions (pad to square, 112x112
      // bilinear, minus the mean RGB, / 255, the net, softmax).
      const face = cropRgb(image, box ?? undefined);
      const tensor = tf.tensor3d(face.data, [face.height, face.width, 3], "int32");
      try {
        const expressions = await net.predictExpressions(tensor);
        return Float32Array.from(faceapi.FACE_EXPRESSION_LABELS, (label) => expressions[label]);
      } finally {
        tensor.dispose();
      }
    },
  };
}

/** @vladmandic/human's emotion model (oarriaga's FER2013 CNN), with human's preprocessing. */
export async function humanModel(tf) {
  const folder = join(packageFolder("@vladmandic/human"), "models");
  const model = await tf.loadGraphModel(fileModelHandler(join(folder, "emotion.json")));
  const emotionSize = model.inputs[0].shape[2];
  if (model.inputs[0].shape[3] !== 1) throw new Error(`${folder}/emotion.json: expected a gray model (1 input channel), got shape ${model.inputs[0].shape}`);
  const meshSize = meshInputSize(join(folder, "facemesh.json"));
  return {
    id: "human",
    name: "@vladmandic/human (emotion)",
    // src/gear/emotion.ts: the label order of the gray (oarriaga) model
    labels: ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"],
    runtime: `@vladmandic/human ${packageVersion("@vladmandic/human")}, tfjs-backend-wasm ${tf.version_core}`,
    predict: async (image, box) => {
      const input = humanEmotionInput(tf, cropRgb(image, box ?? undefined), meshSize, emotionSize);
      const output = model.execute(input);
      try {
        return await output.data();
      } finally {
        tf.dispose([input, output]);
      }
    },
  };
}

/** Side of human's face mesh input: the size human cuts every face to before the emotion model. */
function meshInputSize(path) {
  const json = JSON.parse(readFileSync(path, "utf8"));
  const inputs = Object.values(json.signature?.inputs ?? json.userDefinedMetadata?.signature?.inputs ?? {});
  const size = Number(inputs[0]?.tensorShape?.dim?.[2]?.size);
  if (!(size > 0)) throw new Error(`${path}: no input size in its signature`);
  return size;
}

/** Where a package is installed (found by Node's lookup, as `exports` may hide its package.json). */
function packageFolder(name) {
  for (const modules of require.resolve.paths(name) ?? []) {
    if (existsSync(join(modules, name, "package.json"))) return join(modules, name);
  }
  throw new Error(`${name} is not installed: run \`npm ci --prefix bench/accuracy\` at the repository root`);
}

function packageVersion(name) {
  return JSON.parse(readFileSync(join(packageFolder(name), "package.json"), "utf8")).version;
}
