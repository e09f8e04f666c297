// The size table of the packed packages, and the promise the README makes: @microexp/infer
// (code, WebAssembly and its default weights) downloads and installs in under 1 MB.
export const SIZE_LIMITS = { "@microexp/infer": 1_000_000 };

function bytes(n) {
  return n.toLocaleString("en-US");
}

/** Prints the table; returns `{ pkg, problem }` for every package over its limit. */
export function checkSizes(packed) {
  const rows = packed.map((p) => [p.name, p.version, bytes(p.size), bytes(p.unpackedSize), String(p.entryCount)]);
  const head = ["package", "version", "packed (B)", "unpacked (B)", "files"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i >= 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
  for (const row of rows) console.log(line(row));

  const problems = [];
  for (const p of packed) {
    const limit = SIZE_LIMITS[p.name];
    if (limit === undefined) continue;
    if (p.size > limit) problems.push({ pkg: p.name, problem: `packed size ${bytes(p.size)} B is over the ${bytes(limit)} B limit` });
    if (p.unpackedSize > limit) problems.push({ pkg: p.name, problem: `unpacked (installed) size ${bytes(p.unpackedSize)} B is over the ${bytes(limit)} B limit` });
    const ok = p.size <= limit && p.unpackedSize <= limit;
    console.log(`\n  ${p.name}: packed and unpacked must stay under ${bytes(limit)} B: ${ok ? "ok" : "OVER"}`);
  }
  return problems;
}
