// One command at a time per run folder: two runs on one folder would train the same fold twice
// and write reports that disagree with the files. The lock is a file made atomically (written
// aside, then hard-linked into place, which fails if it exists) that names its owner; a lock
// whose owner is no longer running on this machine is stale and taken over.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UsageError } from "./errors.js";

export const LOCK_FILE = "lock.json";

interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** Whether process `pid` runs on this machine (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Locks `dir` for this process and returns the function that unlocks it (also called at exit).
 * Throws a UsageError saying who holds the folder when another live process does.
 */
export function lockRunDir(dir: string, what = "run folder"): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const mine: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(" ") };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(mine, null, 2)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temporary, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      }
      const owner = readOwner(file);
      // The same pid as ours on this host is a lock left by an earlier process (pids are reused).
      if (owner && (owner.host !== mine.host || (owner.pid !== process.pid && running(owner.pid)))) {
        const where = owner.host === mine.host ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
        throw new UsageError(`${dir}: this ${what} is busy: another microexp-train (${where}, started ${owner.started}) is using it. ` +
          `Wait for it to finish, or choose another folder${owner.host === mine.host ? "" : `; if no run is going on ${owner.host}, delete ${file}`}`);
      }
      // Stale (its owner has ended) or unreadable: move it aside, then take the folder.
      const aside = `${file}.stale-${process.pid}`;
      renameSync(file, aside);
      rmSync(aside, { force: true });
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  let held = true;
  const unlock = () => {
    if (!held) return;
    held = false;
    process.removeListener("exit", unlock);
    if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on("exit", unlock);
  return unlock;
}
