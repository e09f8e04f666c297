// The accuracy bench: microexp's models against @vladmandic/face-api and @vladmandic/human on
// FER2013 PublicTest (whole faces) and the London photos (faces found once by @microexp/face).
// Run it with `npm run bench:accuracy` at the repository root (see README.md here).
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PAPER_DETECT_OPTIONS, detectFaces, loadCascade } from "@microexp/face";
import { decodeImageFile } from "@microexp/face/node";
import { dataFolder, londonFolder, readFerManifest, readLondonPhotos, skipMessage } from "./src/data.mjs";
import { FER_LABELS, ferIndexOfOutputs, ferPrediction } from "./src/labels.mjs";
import { evenlySpaced, median, summarize } from "./src/metrics.mjs";
import { faceApiModel, humanModel, microexpFileModel, microexpModels, wasmTf } from "./src/models.mjs";
import { largestBox } from "./src/pixels.mjs";
import { markdownTable, milliseconds, percent } from "./src/table.mjs";

const USAGE = `usage: npm run bench:accuracy -- [--limit N] [--json out.json] [--weights file.mxw ...]
  --limit N        N faces of each set, spread evenly over it (a quick run)
  --json FILE      also write every figure to FILE (JSON)
  --weights FILE   also a weights file that does not ship (a candidate), as its own row; repeatable
Data: FER2013 from $MICROEXP_DATA/fer2013 (default ../shared/data/fer2013), the London photos
from ../shared/reference/images/london-sample; a set that is absent is skipped with a warning.`;

const WARM_UP = 5;

async function main() {
  let values;
  try {
    ({ values } = parseArgs({ options: { limit: { type: "string" }, json: { type: "string" }, weights: { type: "string", multiple: true }, help: { type: "boolean" } } }));
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 1)) {
    console.error(`--limit must be a whole number >= 1, got "${values.limit}"\n${USAGE}`);
    process.exit(2);
  }
  const pick = (list) => (limit === Infinity ? list : evenlySpaced(list, limit));

  const ferFolder = join(dataFolder(), "fer2013");
  const london = londonFolder();
  const haveFer = existsSync(join(ferFolder, "manifest.csv"));
  const haveLondon = existsSync(london);
  if (!haveFer) console.warn(skipMessage("FER2013 PublicTest", ferFolder, "Set MICROEXP_DATA to the folder that holds fer2013/ (manifest.csv)."));
  if (!haveLondon) console.warn(skipMessage("London photos", london, "They live in ../shared/reference beside the repository."));
  if (!haveFer && !haveLondon) {
    console.warn("Nothing to measure: both face sets are absent.");
    return;
  }

  const { tf, threads, version } = await wasmTf();
  const candidates = [];
  for (const file of values.weights ?? []) {
    try {
      candidates.push(await microexpFileModel(resolve(file)));
    } catch (error) {
      console.error(`--weights ${file}: ${error.message}`);
      process.exit(2);
    }
  }
  const models = [...(await microexpModels()), ...candidates, await faceApiModel(tf), await humanModel(tf)];
  for (const model of models) model.toFer = ferIndexOfOutputs(model.labels, model.name);
  console.log(`tfjs ${version} on ${tf.getBackend()} (${threads} thread); ${models.map((m) => m.runtime).join("; ")}\n`);

  const report = {
    date: new Date().toISOString(),
    // The load average says how much else ran: timings on a shared machine are only comparable within one run.
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, platform: `${platform()} ${release()}`, node: process.version, loadAverageAtStart: loadavg() },
    command: `npm run bench:accuracy${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    tfjs: { version, backend: tf.getBackend(), threads },
    models: models.map(({ id, name, labels, runtime }) => ({ id, name, labels, runtime })),
    sets: {},
  };

  if (haveFer) {
    const faces = pick(readFerManifest(ferFolder, "PublicTest"));
    console.log(`FER2013 PublicTest: decoding ${faces.length} faces from ${ferFolder} ...`);
    const images = await Promise.all(faces.map((face) => decodeImageFile(face.path)));
    const truth = faces.map((face) => face.label);
    const runs = await runModels(models, images.map((image) => ({ image, box: null })));
    const rows = models.map((model, m) => ({ id: model.id, name: model.name, ...summarize(truth, runs[m].predicted, FER_LABELS), medianMs: median(runs[m].ms) }));
    report.sets.fer2013 = { split: "PublicTest", faces: faces.length, folder: ferFolder, classes: FER_LABELS, results: rows };
    console.log(`\nFER2013 PublicTest, ${faces.length} whole 48x48 faces, 7 classes: accuracy, recall per class, median ms per face\n`);
    console.log(markdownTable(
      ["model", "accuracy", ...FER_LABELS, "ms/face"],
      rows.map((r) => [r.name, percent(r.accuracy), ...FER_LABELS.map((c) => percent(r.perClass[c].recall)), milliseconds(r.medianMs)]),
    ));
    console.log();
  }

  if (haveLondon) {
    const photos = pick(readLondonPhotos(london));
    const cascade = await loadCascade();
    const images = await Promise.all(photos.map((photo) => decodeImageFile(photo.path)));
    // Found once, with the paper's settings; the largest box is the person's face.
    const boxes = images.map((image) => largestBox(detectFaces(image, cascade, PAPER_DETECT_OPTIONS)));
    const found = boxes.filter(Boolean).length;
    const truth = photos.map((photo) => photo.label);
    const classes = ["happy", "neutral"];
    const perPhoto = photos.map((photo, i) => ({ file: `${photo.label}/${basename(photo.path)}`, box: boxes[i], predictions: {} }));
    const runs = await runModels(models, images.map((image, i) => ({ image, box: boxes[i] })).filter((face) => face.box));
    const rows = models.map((model, m) => {
      let k = 0;
      const predicted = boxes.map((box) => (box ? runs[m].predicted[k++] : null)); // no face: wrong for every model
      predicted.forEach((label, i) => (perPhoto[i].predictions[model.id] = label));
      return { id: model.id, name: model.name, ...summarize(truth, predicted, classes), medianMs: runs[m].ms.length ? median(runs[m].ms) : NaN };
    });
    report.sets.london = { photos: photos.length, facesFound: found, folder: london, classes, results: rows, perPhoto };
    console.log(`London photos, ${photos.length} (${found} faces found by @microexp/face, haarcascade_frontalface_default, scaleFactor 1.3, minNeighbors 5; the same boxes for every model)`);
    console.log("smiling vs neutral: right = happy on happy/, neutral on neutral/; any other answer, or no face found, counts wrong\n");
    console.log(markdownTable(
      ["model", "accuracy", "happy/ → happy", "neutral/ → neutral", "other answers", "ms/face"],
      rows.map((r) => [
        r.name,
        `${percent(r.accuracy)} (${r.correct}/${r.total})`,
        `${r.perClass.happy.correct}/${r.perClass.happy.total}`,
        `${r.perClass.neutral.correct}/${r.perClass.neutral.total}`,
        otherAnswers(r.perClass),
        Number.isFinite(r.medianMs) ? milliseconds(r.medianMs) : "-",
      ]),
    ));
    console.log();
  }

  report.machine.loadAverageAtEnd = loadavg();
  console.log(`load average (1, 5, 15 min) at start ${report.machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(", ")}, at end ${report.machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(", ")} on ${report.machine.cores} cores`);
  if (values.json) {
    const out = resolve(values.json);
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(tmp, out);
    console.log(`wrote ${out}`);
  }
}

/**
 * Each face through every model, one face at a time (batch 1), timed from pixels and box to
 * scores. The models take turns face by face (starting with a different one each time), so a
 * busy spell on the shared machine slows all of them alike.
 */
async function runModels(models, faces) {
  const runs = models.map(() => ({ predicted: [], ms: [] }));
  if (faces.length === 0) return runs;
  for (const model of models) for (let i = 0; i < WARM_UP; i++) await model.predict(faces[0].image, faces[0].box);
  for (const [n, { image, box }] of faces.entries()) {
    for (let k = 0; k < models.length; k++) {
      const m = (n + k) % models.length;
      const start = performance.now();
      const scores = await models[m].predict(image, box);
      runs[m].ms.push(performance.now() - start);
      runs[m].predicted.push(FER_LABELS[ferPrediction(scores, models[m].toFer)]);
    }
    if ((n + 1) % 500 === 0) process.stderr.write(`  ${n + 1}/${faces.length} faces\n`);
  }
  return runs;
}

/** "sad 2 on happy/, no face 1 on neutral/": the answers that were neither right label. */
function otherAnswers(perClass) {
  const parts = [];
  for (const [folder, row] of Object.entries(perClass)) {
    for (const [answer, count] of Object.entries(row.answers)) if (answer !== folder) parts.push(`${answer} ${count} on ${folder}/`);
  }
  return parts.join(", ") || "none";
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
