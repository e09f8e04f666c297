import * as tf from "@tensorflow/tfjs-core";
const distill = await import("./dist/index.js");
await distill.selectBackend("wasm");
function median(v) { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; }
function time(run, calls = 15) {
  tf.dispose(run());
  const cpu = [];
  for (let i = 0; i < calls; i++) { const st = process.cpuUsage(); const o = run(); o.dataSync(); const u = process.cpuUsage(st); cpu.push((u.user + u.system) / 1000); tf.dispose(o); }
  return median(cpu);
}
for (const [size, ch] of [[42, 16], [21, 64], [11, 64], [11, 128], [6, 128]]) {
  const shape = [64, size, size, ch];
  const xs = tf.randomNormal(shape), dys = tf.randomNormal(shape), ws = tf.randomNormal([3, 3, ch, 1]);
  const f = time(() => tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: xs, dy: dys }, { strides: 1, dilations: 1, pad: "same", filterShape: [3, 3, ch, 1] }));
  const i = time(() => tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy: dys, filter: ws }, { strides: 1, dilations: 1, pad: "same", inputShape: shape }));
  const z = time(() => tf.zerosLike(xs));
  const fw = time(() => tf.depthwiseConv2d(xs, ws, 1, "same"));
  console.log(`${size}x${size}x${ch}: filter ${f.toFixed(2)} input ${i.toFixed(2)} zerosLike ${z.toFixed(2)} fwd(xnnpack) ${fw.toFixed(2)} ms CPU`);
  tf.dispose([xs, dys, ws]);
}
