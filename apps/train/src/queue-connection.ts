// The job queue that spreads folds over machines: BullMQ over one Redis server that every
// machine reaches. Jobs, their results and the runs' plans all live in that Redis.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { UsageError } from "./errors.js";

/** One queue for every run: a job's id says what it trains, so runs share nothing by accident. */
export const QUEUE_NAME = "microexp-folds";
/** Redis keys of the runs' plans (what a report needs besides the folds' results). */
export const PLAN_PREFIX = "microexp:plan:";

/** Checks a --queue URL: redis://[user:password@]host:port[/db] (rediss:// for TLS). */
export function queueUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--queue ${text}: not a URL; expected redis://host:port (e.g. redis://127.0.0.1:6379)`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new UsageError(`--queue ${text}: expected a redis:// or rediss:// URL`);
  if (url.pathname.length > 1 && !/^\/\d+$/.test(url.pathname)) throw new UsageError(`--queue ${text}: the path must be a Redis database number, e.g. /0`);
  return text;
}

/** The URL without its password, for messages and reports. */
export function publicUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

export interface QueueConnection {
  url: string;
  redis: Redis;
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Connects to the queue's Redis. `persistent` (workers): reconnect for as long as it takes, so
 * a Redis restart only pauses the workers; otherwise a Redis that cannot be reached is an
 * error after a few seconds.
 */
export async function openQueue(url: string, options: { persistent?: boolean } = {}): Promise<QueueConnection> {
  const redis = new Redis(queueUrl(url), {
    // BullMQ's blocking commands need this (no per-command retry limit).
    maxRetriesPerRequest: null,
    ...(options.persistent ? { retryStrategy: (times: number) => Math.min(times * 200, 2000) } : { retryStrategy: (times: number) => (times > 10 ? null : 200) }),
  });
  let lastError: Error | undefined;
  redis.on("error", (error: Error) => (lastError = error));
  try {
    await withTimeout(redis.ping(), options.persistent ? 60_000 : 5_000);
  } catch (error) {
    redis.disconnect();
    const reason = lastError?.message ?? (error as Error).message;
    throw new UsageError(`--queue ${publicUrl(url)}: cannot reach Redis (${reason})`);
  }
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  return {
    url, redis, queue,
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
