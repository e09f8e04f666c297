import * as distill from "@microexp/distill";
import * as tf from "@tensorflow/tfjs-core";
import { buildDsnet } from "@microexp/models";
await distill.selectBackend("wasm");
const m = buildDsnet({ numClasses: 7, seed: 1, dropout: 0 });
const vars = m.trainableWeights.map((w) => w.read());
const x = tf.randomUniform([64, 84, 84, 1], 0, 255);
const y = tf.oneHot(tf.tensor1d(Array.from({length:64},(_, i)=>i%7),"int32"), 7);
const step = () => { const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true })), vars); tf.dispose([value, ...Object.values(grads)]); };
step(); step();
const prof = await tf.profile(step);
const by = {};
for (const k of prof.kernels) { const t = await k.kernelTimeMs; by[k.name] = (by[k.name] ?? 0) + (typeof t === "number" ? t : 0); }
const tot = Object.values(by).reduce((a,b)=>a+b,0);
console.log("total kernel ms", tot.toFixed(1));
for (const [n, t] of Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,20)) console.log(n.padEnd(36), t.toFixed(1));
