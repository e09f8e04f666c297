// Runs the commands of the release checks: one place that spawns, captures and cleans the
// environment, so every step reports the same way.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A binary installed at the repository root (publint, attw, changeset, turbo). */
export function bin(name) {
  return join(ROOT, "node_modules", ".bin", name);
}

/**
 * `npm run` puts its own settings in the environment (npm_config_local_prefix,
 * npm_package_*, ...). An npm started in a scratch project would read them and act on this
 * repository instead, so they are dropped; the user's own npm settings (registry, cache) stay.
 */
export function scratchEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(local_prefix|call|workspaces?|include_workspace_root)$)/i.test(key)) continue;
    if (key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command. `capture` returns its output instead of showing it; the result's `ok`
 * says whether it exited 0.
 */
export function run(command, args, { cwd = ROOT, capture = false, env = process.env, timeout } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    maxBuffer: 256 * 1024 * 1024,
    timeout,
  });
  const stdout = result.stdout ?? "";
  const stderr = result.stderr ?? "";
  const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
  return { ok: result.status === 0, status: result.status, stdout, stderr, why };
}

/** Seconds since `start` (a performance.now() reading), for the step timings. */
export function seconds(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
