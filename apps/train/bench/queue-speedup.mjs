// The job queue's speed-up on this machine: one short sweep (4 cells x 10 folds on 40
// generated 64x64 faces) trained by one worker process, then by two (one job at a time
// each), from enqueue to the last job done; beside it, the baseline of the same sweep run
// locally with 1 and 2 fold threads (--workers). Repeated, with the median of each. Starts
// its own redis-server (Debian's) on a free loopback port. Needs the build (npm run build).
// Usage: node apps/train/bench/queue-speedup.mjs [--repeats 3] [--epochs 4]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const repeats = option("--repeats", 3);
const epochs = option("--epochs", 4);

if (spawnSync("redis-server", ["--version"]).status !== 0) {
  console.log("queue-speedup: SKIPPED, no redis-server binary on the PATH (Debian: apt-get install redis-server)");
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "microexp-queue-bench-"));
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""], { stdio: "ignore" });
const url = `redis://127.0.0.1:${port}`;

function run(args, cwd) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`microexp-train ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function worker(cwd, workDir) {
  const child = spawn(process.execPath, [CLI, "worker", "--queue", url, "--concurrency", "1", "--work-dir", workDir, "--backend", "wasm", "--exit-when-drained"], { cwd, stdio: "ignore" });
  return new Promise((resolve, reject) => child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`)))));
}

try {
  await new Promise((resolve) => setTimeout(resolve, 300));
  // 20 faces per class, bright on the left (happy) or on the right (sadness), with noise.
  let state = 5;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [k, name] of ["happy", "sadness"].entries()) {
    mkdirSync(join(dir, "faces", name), { recursive: true });
    for (let i = 0; i < 20; i++) {
      const pixels = Buffer.alloc(64 * 64);
      for (let p = 0; p < pixels.length; p++) pixels[p] = ((p % 64 < 32) === (k === 0) ? 190 : 60) + Math.floor(random() * 40);
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(dir, "faces", name, `face${i}.png`));
    }
  }
  const sweep = ["sweep", "--table", "family", "--cells", "v-XXS,p1-XXS,p2-XXS,p12-XXS", "--dataset", "folder", "--data", "faces", "--epochs", String(epochs),
    "--folds", "10", "--dropout", "0", "--threads", "1", "--backend", "wasm", "--queue", url];
  const times = { 1: [], 2: [] };
  const local = { 1: [], 2: [] };
  const load = [loadavg()[0]];
  for (let r = 0; r < repeats; r++) {
    for (const workers of [1, 2]) {
      // A fresh queue and work folder: every job is trained again.
      spawnSync("redis-cli", ["-p", String(port), "flushall"]);
      rmSync(join(dir, "work"), { recursive: true, force: true });
      const started = performance.now();
      run([...sweep, "--sweep-dir", "grid"], dir);
      await Promise.all(Array.from({ length: workers }, () => worker(dir, "work")));
      times[workers].push((performance.now() - started) / 1000);
      rmSync(join(dir, `local${workers}`), { recursive: true, force: true });
      const localStarted = performance.now();
      run([...sweep.slice(0, -2), "--workers", String(workers), "--sweep-dir", `local${workers}`], dir);
      local[workers].push((performance.now() - localStarted) / 1000);
    }
    load.push(loadavg()[0]);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const one = median(times[1]);
  const two = median(times[2]);
  console.log(`queue speed-up: 40 fold jobs (4 cells x 10 folds, ${epochs} epochs, 40 faces), enqueue to last job done, median of ${repeats}`);
  console.log(`  1 worker:  ${one.toFixed(1)} s   (${times[1].map((t) => t.toFixed(1)).join(", ")})`);
  console.log(`  2 workers: ${two.toFixed(1)} s   (${times[2].map((t) => t.toFixed(1)).join(", ")})`);
  const localOne = median(local[1]);
  const localTwo = median(local[2]);
  console.log(`  local sweep --workers 1: ${localOne.toFixed(1)} s   (${local[1].map((t) => t.toFixed(1)).join(", ")})`);
  console.log(`  local sweep --workers 2: ${localTwo.toFixed(1)} s   (${local[2].map((t) => t.toFixed(1)).join(", ")})`);
  console.log(`  speed-up:  queue ${(one / two).toFixed(2)}x, local ${(localOne / localTwo).toFixed(2)}x on ${spawnSync("nproc").stdout.toString().trim()} cores; 1-minute load average ${load.map((l) => l.toFixed(1)).join(" -> ")}`);
} finally {
  redis.kill("SIGTERM");
  await new Promise((resolve) => redis.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
}
