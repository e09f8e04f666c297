// Copied into a scratch project that installed one packed package, and run there as
//   node smoke.mjs <esm|cjs> <package name> <fixtures.json>
// It loads the package the way a user would (import, or require for the CommonJS build),
// calls something real, checks the answer and prints it as JSON on its last line.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [form, name, fixturesFile] = process.argv.slice(2);
const require = createRequire(import.meta.url);
/** The package's entry as the chosen module system resolves it (exports' "import" or "require"). */
const load = async (id) => (form === "cjs" ? require(id) : await import(id));
const fixtures = JSON.parse(readFileSync(fixturesFile, "utf8"));

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const smoke = {
  async "@microexp/infer"() {
    const { loadModel } = await load("@microexp/infer/node");
    const { MODEL_ZOO } = await load("@microexp/infer");
    const { width, height, channels, box } = fixtures.pixels;
    const image = { width, height, channels, data: new Uint8Array(readFileSync(fixtures.pixels.file)) };
    const classifier = await loadModel(); // the default model, from the package's weights/
    const prediction = classifier.classify(image, box);
    const sum = prediction.scores.reduce((s, x) => s + x.probability, 0);
    check(classifier.labels.includes(prediction.label), `label "${prediction.label}" is not one of ${classifier.labels.join(", ")}`);
    check(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
    // Every shipped model must load from the tarball, not only the default.
    const models = [];
    for (const model of Object.keys(MODEL_ZOO)) models.push(`${model}: ${(await loadModel(model)).labels.length} labels`);
    return { label: prediction.label, probability: prediction.probability, scores: prediction.scores, sum, engine: classifier.engineKind, models };
  },

  async "@microexp/upstream-weights"() {
    // Weights only: read by the runtime installed beside them, as the README says.
    const { UPSTREAM_MODELS } = await load("@microexp/upstream-weights");
    const { upstreamModelPath } = await load("@microexp/upstream-weights/node");
    const { loadClassifierFromFile } = await load("@microexp/infer/node");
    const { width, height, channels, box } = fixtures.pixels;
    const image = { width, height, channels, data: new Uint8Array(readFileSync(fixtures.pixels.file)) };
    const models = [];
    for (const name of Object.keys(UPSTREAM_MODELS)) {
      const classifier = await loadClassifierFromFile(upstreamModelPath(name));
      const prediction = classifier.classify(image, box);
      check(classifier.labels.length === 8, `${name}: ${classifier.labels.length} labels, expected CK+'s 8`);
      check(classifier.weights.model.name === name, `${name}: the file says it is ${classifier.weights.model.name}`);
      models.push(`${name} ${prediction.label} ${(100 * prediction.probability).toFixed(1)} %`);
    }
    return { models };
  },

  async "@microexp/face"() {
    const { detectFaces, loadCascade, PAPER_DETECT_OPTIONS } = await load("@microexp/face");
    const { decodeImageFile } = await load("@microexp/face/node");
    const image = await decodeImageFile(fixtures.photo);
    const faces = detectFaces(image, await loadCascade(), PAPER_DETECT_OPTIONS);
    const want = fixtures.pixels.box;
    check(faces.length === 1, `expected one face in ${fixtures.photo}, found ${faces.length}`);
    const [face] = faces;
    check(["x", "y", "width", "height"].every((k) => face[k] === want[k]), `face at ${JSON.stringify(face)}, expected ${JSON.stringify(want)}`);
    return { faces };
  },

  async "@microexp/datasets"() {
    const { hashManifest, randomKFold, subjectKFold, validateSplit, foldEntries } = await load("@microexp/datasets");
    // A tiny in-memory dataset: 4 subjects, 3 labels, 24 entries (no file is read).
    const labelNames = ["anger", "happy", "surprise"];
    const entries = [];
    for (let s = 1; s <= 4; s++) {
      for (let l = 0; l < labelNames.length; l++) {
        for (let f = 1; f <= 2; f++) {
          const path = `S00${s}/${labelNames[l]}/${f}.png`;
          entries.push({ path, file: `/nowhere/${path}`, label: l, labelName: labelNames[l], subject: `S00${s}`, sequence: `S00${s}_${l}`, frame: f, source: "smoke" });
        }
      }
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : 1));
    const manifest = { source: "smoke", root: "/nowhere", labelNames, entries, skipped: [] };
    const random = randomKFold(manifest, { k: 2, seed: 1 });
    const subject = subjectKFold(manifest, { k: 2, seed: 1 });
    validateSplit(random, manifest);
    validateSplit(subject, manifest);
    const tested = random.folds.flatMap((f) => f.test).sort((a, b) => a - b);
    check(tested.join() === entries.map((_, i) => i).join(), "the random folds' test sets do not cover every entry exactly once");
    for (let fold = 0; fold < 2; fold++) {
      const { train, test } = foldEntries(manifest, subject, fold);
      const trainSubjects = new Set(train.map((e) => e.subject));
      check(test.every((e) => !trainSubjects.has(e.subject)), `subject fold ${fold} has a subject in both train and test`);
    }
    return { manifestHash: hashManifest(manifest), random: random.folds.map((f) => f.test.length), subject: subject.folds.map((f) => f.test.length) };
  },

  async "@microexp/models"() {
    await load("@tensorflow/tfjs-backend-cpu"); // installed beside it, as an app picks a backend; registers the cpu backend
    const { buildFamilyModel, exportWeightsFile, UPSTREAM_LABELS } = await load("@microexp/models");
    const { describeArchitecture, ExpressionClassifier, parameterCount } = await load("@microexp/infer");
    const model = buildFamilyModel("microexpnet", { numClasses: 8, seed: 1 });
    const spec = describeArchitecture("microexpnet", 8);
    check(model.countParams() === 65000, `microexpnet has ${model.countParams()} parameters, expected 65,000`);
    check(parameterCount(spec) === 65000, `the runtime counts ${parameterCount(spec)} parameters`);
    // Its weights, exported and read back by the runtime installed beside it.
    const classifier = await ExpressionClassifier.create(exportWeightsFile(model, spec, { labels: UPSTREAM_LABELS }));
    const prediction = classifier.classifyInputs(new Float32Array(84 * 84).fill(128), 1)[0];
    check(prediction.scores.length === 8, `the exported model gives ${prediction.scores.length} scores`);
    return { architecture: spec.id, parameters: model.countParams(), label: prediction.label };
  },

  async "@microexp/distill"() {
    const { distillationLoss, selectBackend } = await load("@microexp/distill");
    const tf = await load("@tensorflow/tfjs-core");
    const backend = await selectBackend("cpu");
    const student = tf.tensor2d([[1, 2, 3], [0.5, 0.1, -1]]);
    const teacher = tf.tensor2d([[1, 3, 2], [2, 0, -1]]);
    const loss = distillationLoss(student, teacher, tf.tensor1d([2, 0], "int32"), { temperature: 8, lambda: 0.5 }).dataSync()[0];
    check(Number.isFinite(loss) && loss > 0, `the KD loss is ${loss}`);
    return { backend: backend.name, loss };
  },
};

try {
  check(form === "esm" || form === "cjs", `form must be esm or cjs, got ${form}`);
  check(name in smoke, `no smoke test for ${name}`);
  const result = await smoke[name]();
  console.log(JSON.stringify({ ok: true, result }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error instanceof Error ? error.stack : String(error) }));
  process.exitCode = 1;
}
