// Lints each tarball as it would be published: publint (package.json fields against the
// files really packed) and Are the Types Wrong (types and JavaScript for import and require,
// under node10, node16 and bundler resolution). Both read the .tgz itself, offline.
import { bin, run } from "./run.mjs";

/** Problems found in one packed package, as `{ pkg, problem }`; prints a line per tool. */
export function lintTarball({ name, tarball }) {
  const problems = [];
  // --strict: publint's warnings fail too (its suggestions are only printed).
  const publint = run(bin("publint"), ["run", "--strict", tarball], { capture: true });
  const publintSaid = `${publint.stdout}${publint.stderr}`.trim();
  const publintClean = publint.ok && /All good!/.test(publintSaid);
  console.log(`  publint ${name}: ${publintClean ? "all good" : publint.ok ? "passed, with suggestions" : "FAILED"}`);
  if (!publint.ok) problems.push({ pkg: name, problem: `publint (${publint.why}):\n${publintSaid}` });
  else if (!publintClean) console.log(indent(publintSaid));

  // --no-definitely-typed: never ask the registry for @types packages (every package ships
  // its own .d.ts/.d.cts). The default "strict" profile checks node10 too, for TypeScript
  // projects still on moduleResolution "node".
  const attwArgs = ["--no-definitely-typed", "--no-color", "--no-emoji"];
  const attw = run(bin("attw"), [...attwArgs, "--format", "json", tarball], { capture: true });
  let report;
  try {
    report = JSON.parse(attw.stdout);
  } catch {
    report = undefined;
  }
  // attw passes a package with no types at all: here every package must ship them, and every
  // entry point must resolve to declarations in every mode.
  const unresolved = [];
  const entrypoints = Object.entries(report?.analysis?.entrypoints ?? {});
  for (const [subpath, entry] of entrypoints) {
    for (const [mode, resolved] of Object.entries(entry.resolutions ?? {})) {
      if (!resolved.resolution?.fileName) unresolved.push(`${subpath} (${mode})`);
    }
  }
  // "problems" is grouped by kind at the top level and a list inside "analysis".
  const found = [...Object.keys(report?.problems ?? {}), ...(report?.analysis?.problems ?? [])];
  const untyped = report?.analysis?.types === false;
  const good = attw.ok && report !== undefined && !untyped && found.length === 0 && unresolved.length === 0 && entrypoints.length > 0;
  console.log(`  attw    ${name}: ${good ? `types, ESM and CJS resolve for ${entrypoints.map(([e]) => e).join(", ")} (node10, node16 from CJS and ESM, bundler)` : "FAILED"}`);
  if (!good) {
    // The same analysis as a table, for the person reading the log.
    const table = run(bin("attw"), [...attwArgs, "--format", "ascii", tarball], { capture: true });
    const why = [
      untyped ? "the package ships no type declarations" : "",
      unresolved.length ? `no types for ${unresolved.join(", ")}` : "",
      `${table.stdout}${table.stderr}`.trim(),
    ].filter(Boolean).join("\n");
    problems.push({ pkg: name, problem: `Are the Types Wrong${attw.ok ? "" : ` (${attw.why})`}:\n${why}` });
  }
  return problems;
}

function indent(text) {
  return text.replace(/^/gm, "      ");
}
