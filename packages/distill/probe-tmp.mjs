import * as distill from "@microexp/distill";
async function rate(architecture, faces, threads) {
  const set = distill.allocateCropSet(faces, ["a","b","c","d","e","f","g"], Array.from({ length: faces }, (_, i) => `g/${i}`));
  for (let i = 0; i < set.pixels.length; i++) set.pixels[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  for (let i = 0; i < faces; i++) set.labels[i] = i % 7;
  const config = { architecture, epochs: 1, seed: 1, batchSize: 64, learningRate: 1e-3, dropout: 0, sampling: "one-per-face", augment: {} };
  (await distill.trainStudent(distill.subsetCropSet(set, [...Array(128).keys()]), config, { threads, backend: "wasm" })).model.dispose();
  const r = await distill.trainStudent(set, config, { threads, backend: "wasm" });
  r.model.dispose();
  return r.samplesPerSecond;
}
await distill.selectBackend("wasm");
const t = Number(process.argv[2] ?? 1);
console.log("dsnet threads", t, (await rate("dsnet", 1024, t)).toFixed(0), "samples/s");
