// The job queue end to end, through the BUILT command line and a real Redis server: a sweep of
// 4 cells x 10 folds enqueued twice (no job twice), trained by two worker processes of which
// one is killed (SIGKILL) mid-job and restarted, Redis restarted once the jobs are done; the
// report assembled from the queue equals a local run's. A worker whose copy of the data
// differs refuses its jobs, which are parked as failed with the error after their attempts.
import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { cli, readReport, startCli, tempDir, writeFaces } from "./helpers.js";
import type { RedisServer } from "./redis.js";
import { hasRedisServer, startRedis } from "./redis.js";

const redisFound = hasRedisServer();
if (!redisFound) console.warn("SKIPPED: the queue tests need a redis-server binary on the PATH (Debian: apt-get install redis-server)");

// CI installs redis-server (.ci/run): there, its absence is a failure, not a skip.
it.runIf(!redisFound && process.env.CI)("has a redis-server binary in CI", () => {
  throw new Error("no redis-server on the PATH: .ci/run installs it (apt-get install redis-server)");
});

const CELLS = ["v-XXS", "p1-XXS", "p2-XXS", "p12-XXS"];
// --threads 1: how many threads share a batch is part of what a fold computes (it sums their gradient shares).
const SWEEP = ["sweep", "--table", "family", "--cells", CELLS.join(","), "--dataset", "folder", "--data", "faces", "--epochs", "2", "--folds", "10",
  "--dropout", "0", "--threads", "1", "--backend", "wasm"];

/** A worker process whose output lines are kept (and watched). */
class WorkerProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private watchers: Array<(line: string) => void> = [];

  constructor(cwd: string, args: string[]) {
    this.child = startCli(cwd, ["worker", ...args]);
    let partial = "";
    const take = (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split("\n");
      partial = complete.pop()!;
      for (const line of complete) {
        this.lines.push(line);
        for (const watch of this.watchers) watch(line);
      }
    };
    this.child.stdout!.on("data", take);
    this.child.stderr!.on("data", take);
    // "close", not "exit": the process may exit before its last output has been read.
    this.exited = new Promise((resolve) => this.child.once("close", (code) => resolve(code)));
  }

  /** Calls `watch` with every line from now on. */
  watch(watch: (line: string) => void): void {
    this.watchers.push(watch);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

function counts(status: string): { waiting: number; running: number; done: number; failed: number } {
  const match = /: (\d+) waiting, (\d+) running, (\d+) done, (\d+) failed/.exec(status);
  if (!match) throw new Error(`no counts in:\n${status}`);
  const [waiting, running, done, failed] = match.slice(1).map(Number);
  return { waiting, running, done, failed };
}

describe.skipIf(!redisFound)("the job queue (BullMQ over a real Redis server)", () => {
  const temp = tempDir("queue");
  const cwd = temp.dir;
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    await writeFaces(join(cwd, "faces"), 10);
    redis = await startRedis(temp.dir);
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill("SIGKILL");
    await redis?.stop();
    temp.remove();
  });

  const status = () => {
    const result = cli(cwd, ["status", "--queue", redis.url]);
    expect(result.stderr).toBe("");
    return result.stdout;
  };

  it("enqueues one job per fold, and the same sweep enqueued again adds none", () => {
    const first = cli(cwd, [...SWEEP, "--sweep-dir", "runs/grid", "--queue", redis.url]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("run grid: 40 fold jobs, 40 new in the queue, 0 there already");
    const again = cli(cwd, [...SWEEP, "--sweep-dir", "runs/grid", "--queue", redis.url]);
    expect(again.stdout).toContain("run grid: 40 fold jobs, 0 new in the queue, 40 there already");
    expect(counts(status())).toEqual({ waiting: 40, running: 0, done: 0, failed: 0 });
  });

  it("trains them in two workers, one killed mid-job and restarted; the killed job resumes from its checkpoint", async () => {
    const args = ["--queue", redis.url, "--concurrency", "1", "--work-dir", "work", "--lock-seconds", "2", "--backend", "wasm", "--exit-when-drained"];
    const a = new WorkerProcess(cwd, args);
    const b = new WorkerProcess(cwd, args);
    workers.push(a, b);
    // Kill a once it has finished 3 jobs and the next one has checkpointed its first epoch.
    const killed = new Promise<string>((resolve) => {
      let finished = 0;
      a.watch((line) => {
        if (/: fold \d+ done in/.test(line)) finished++;
        const epoch = /^job (fold-\w+) \(.* fold (\d+)\) student: epoch 1\/2/.exec(line);
        if (finished < 3 || !epoch) return;
        const checkpoint = join(cwd, "work", "jobs", epoch[1], `fold-${epoch[2]}`, "student.ckpt");
        const poll = setInterval(() => {
          if (!existsSync(checkpoint)) return;
          clearInterval(poll);
          a.kill("SIGKILL");
          resolve(epoch[1]);
        }, 1);
      });
    });
    const job = await killed;
    expect(await a.exited).toBe(null);
    expect(a.lines.some((line) => line.startsWith(`job ${job} `) && / done in /.test(line))).toBe(false);
    const restarted = new WorkerProcess(cwd, args);
    workers.push(restarted);
    expect(await b.exited).toBe(0);
    expect(await restarted.exited).toBe(0);

    const after = [...b.lines, ...restarted.lines];
    // Whoever took the job again went on from the epoch 1 checkpoint: only the killed epoch was lost.
    expect(after.filter((line) => line.startsWith(`job ${job} `) && line.includes("student: resumed at epoch 2/2"))).toHaveLength(1);
    expect(after.filter((line) => line.startsWith(`job ${job} `) && line.includes("student: started"))).toHaveLength(0);
    expect(after.some((line) => line.startsWith(`job ${job} `) && / done in /.test(line))).toBe(true);
    const trained = (lines: string[]) => lines.filter((line) => / done in /.test(line) && line.startsWith("job fold-")).length;
    expect(trained(a.lines) + trained(after)).toBe(40);
    expect(trained(b.lines)).toBeGreaterThan(0);
    expect(counts(status())).toEqual({ waiting: 0, running: 0, done: 40, failed: 0 });
  });

  it("keeps the finished results over a Redis restart, and enqueueing again trains nothing", async () => {
    await redis.restart();
    const again = cli(cwd, [...SWEEP, "--sweep-dir", "runs/grid", "--queue", redis.url]);
    expect(again.stdout).toContain("0 new in the queue, 40 there already");
    const text = status();
    expect(counts(text)).toEqual({ waiting: 0, running: 0, done: 40, failed: 0 });
    expect(text).toContain("run grid: 40/40 folds done");
  });

  it("assembles the report a local run of the same sweep writes, with the folds' weights", () => {
    const queued = cli(cwd, ["report", "--queue", redis.url, "--run", "grid", "--out", "runs/queued", "--work-dir", "work"]);
    expect(queued.stderr).toBe("");
    expect(queued.status).toBe(0);
    const local = cli(cwd, [...SWEEP, "--workers", "1", "--sweep-dir", "runs/local"]);
    expect(local.stderr).toBe("");
    expect(local.status).toBe(0);
    expect(readReport(join(cwd, "runs/queued"), "sweep")).toEqual(readReport(join(cwd, "runs/local"), "sweep"));
    for (const cell of CELLS) {
      const fromQueue = readReport(join(cwd, "runs/queued", cell), "report");
      expect(fromQueue, cell).toEqual(readReport(join(cwd, "runs/local", cell), "report"));
      expect(fromQueue.markdown).toContain("| 9 | 18 | 2 |");
      // The folds' networks, copied from the workers' work folder where publish looks for them, are the local run's.
      for (let fold = 0; fold < 10; fold++) {
        const file = join(cell, `fold-${fold}`, "student.mxw");
        expect(readFileSync(join(cwd, "runs/queued", file)).equals(readFileSync(join(cwd, "runs/local", file))), file).toBe(true);
      }
    }
    expect(readFileSync(join(cwd, "runs/queued/sweep.md"), "utf8")).toContain("| v-XXS |");
  });

  it("parks the jobs of a worker whose data differs, with the error, and counts them as failed", async () => {
    // The same file names, one image's pixels changed.
    cpSync(join(cwd, "faces"), join(cwd, "faces-copy"), { recursive: true });
    await sharp(Buffer.alloc(64 * 64, 7), { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(cwd, "faces-copy", "happy", "face00.png"));
    // A distilled run: each fold's job trains its teacher too.
    const config = ["cv", "--dataset", "folder", "--data", "faces", "--epochs", "1", "--folds", "2", "--model", "p12-XXS", "--teacher", "p1-XXS", "--teacher-epochs", "1",
      "--threads", "1", "--backend", "wasm"];
    const cv = [...config, "--run-dir", "runs/other", "--attempts", "2", "--queue", redis.url];
    expect(cli(cwd, cv).stdout).toContain("run other: 2 fold jobs, 2 new in the queue");
    const worker = new WorkerProcess(cwd, ["--queue", redis.url, "--work-dir", "work-copy", "--data", "faces-copy", "--backend", "wasm", "--exit-when-drained"]);
    workers.push(worker);
    expect(await worker.exited).toBe(0);
    expect(worker.lines.filter((line) => /failed: .*this worker's copy of the data .*faces-copy\) has contents \w+, the job was made for \w+/.test(line))).toHaveLength(4);
    const text = status();
    expect(counts(text)).toEqual({ waiting: 0, running: 0, done: 40, failed: 2 });
    expect(text).toMatch(/failed after 2 attempts: faces p12-XXS fold 0 \(fold-\w+\): .*this worker's copy of the data/);
    const report = cli(cwd, ["report", "--queue", redis.url, "--run", "other"]);
    expect(report.status).toBe(1);
    expect(report.stderr).toContain("other: 2 of 2 folds are not done (2 failed)");
    // The cause fixed (a worker with the right data), enqueueing the run again gives the parked jobs new attempts.
    expect(cli(cwd, cv).stdout).toContain("0 new in the queue, 2 there already (2 failed ones retried)");
    const right = new WorkerProcess(cwd, ["--queue", redis.url, "--work-dir", "work", "--backend", "wasm", "--exit-when-drained"]);
    workers.push(right);
    expect(await right.exited).toBe(0);
    expect(counts(status())).toEqual({ waiting: 0, running: 0, done: 42, failed: 0 });
    expect(right.lines.filter((line) => / teacher: started, 1 epochs/.test(line))).toHaveLength(2);
    // Its report too is a local run's.
    expect(cli(cwd, ["report", "--queue", redis.url, "--run", "other", "--out", "runs/other-queued"]).status).toBe(0);
    expect(cli(cwd, [...config, "--workers", "1", "--run-dir", "runs/other-local"]).status).toBe(0);
    const fromQueue = readReport(join(cwd, "runs/other-queued"), "report");
    expect(fromQueue).toEqual(readReport(join(cwd, "runs/other-local"), "report"));
    expect(fromQueue.markdown).toContain("| teacher, crop-averaged |");
  });

  it("shows the running jobs' progress, and hands a stopped worker's running jobs back to the queue (SIGTERM, as a service manager stops it)", async () => {
    const cv = ["cv", "--dataset", "folder", "--data", "faces", "--epochs", "500", "--folds", "2", "--model", "p1-XXS", "--run-dir", "runs/long", "--queue", redis.url];
    expect(cli(cwd, cv).stdout).toContain("run long: 2 fold jobs, 2 new in the queue");
    const worker = new WorkerProcess(cwd, ["--queue", redis.url, "--concurrency", "2", "--work-dir", "work", "--backend", "wasm"]);
    workers.push(worker);
    await new Promise<void>((resolve) => worker.watch((line) => { if (/student: epoch \d+\/500/.test(line)) resolve(); }));
    // The running jobs report their progress.
    const running = status();
    expect(counts(running).running).toBe(2);
    expect(running).toMatch(/running: faces p1-XXS fold \d \(fold-\w+\): student epoch \d+\/500 on \S+ pid \d+/);
    worker.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(worker.lines.filter((line) => line.includes(": stopped, back in the queue")), worker.lines.join("\n")).toHaveLength(2);
    expect(worker.lines.some((line) => / done in /.test(line))).toBe(false);
    expect(counts(status())).toEqual({ waiting: 2, running: 0, done: 42, failed: 0 });
  });

  it("says clearly when Redis cannot be reached or the URL is wrong", () => {
    const bad = cli(cwd, ["status", "--queue", "http://127.0.0.1:1"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--queue http://127.0.0.1:1: expected a redis:// or rediss:// URL");
    const unreachable = cli(cwd, ["status", "--queue", "redis://127.0.0.1:1"]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/--queue redis:\/\/127\.0\.0\.1:1: cannot reach Redis \(.*ECONNREFUSED/);
  });
});
