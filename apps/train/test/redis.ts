// A real Redis server for the queue tests: Debian's redis-server on a free loopback port, its
// data in a temporary folder with persistence on (append-only file), stopped after the tests.
import type { ChildProcess } from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** Whether a redis-server binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { encoding: "utf8" }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RedisServer {
  url: string;
  /** Stops the server (SIGTERM: it writes its append-only file and exits) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function start(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    });
  });
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export async function startRedis(dir: string): Promise<RedisServer> {
  const port = await freePort();
  let child = await start(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await stopped(child);
      child = await start(port, dir);
    },
    stop: () => stopped(child),
  };
}
