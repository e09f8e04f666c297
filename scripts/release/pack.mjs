// Packs every publishable package (packages/*, not private) with `npm pack`, exactly as
// `npm publish` would build the tarball, into a folder of the caller's choosing.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run } from "./run.mjs";

/** The publishable workspaces: `{ name, version, dir }` for packages/* that are not private. */
export function publishablePackages() {
  const packages = [];
  for (const folder of readdirSync(join(ROOT, "packages")).sort()) {
    const manifest = join(ROOT, "packages", folder, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    if (pkg.private) continue;
    packages.push({ name: pkg.name, version: pkg.version, dir: `packages/${folder}`, manifest: pkg });
  }
  return packages;
}

/**
 * Packs them all into `destination` in one npm call. Returns, per package, npm's own
 * figures (packed `size`, `unpackedSize`, `entryCount`) and the tarball's path.
 */
export function packAll(destination) {
  const packages = publishablePackages();
  const args = ["pack", "--json", "--pack-destination", destination, ...packages.flatMap((p) => ["--workspace", p.dir])];
  const result = run("npm", args, { capture: true });
  if (!result.ok) {
    throw new Error(`npm pack failed (${result.why}):\n${result.stderr || result.stdout}`);
  }
  // Lifecycle scripts (prepack) may print before the JSON; the JSON array is the last thing.
  const start = result.stdout.startsWith("[") ? 0 : result.stdout.indexOf("\n[") + 1;
  const json = JSON.parse(result.stdout.slice(start));
  return packages.map((p) => {
    const packed = json.find((entry) => entry.name === p.name);
    if (!packed) throw new Error(`npm pack produced no tarball for ${p.name}`);
    return {
      ...p,
      version: packed.version,
      tarball: join(destination, packed.filename),
      size: packed.size,
      unpackedSize: packed.unpackedSize,
      entryCount: packed.entryCount,
    };
  });
}
