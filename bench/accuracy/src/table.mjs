// Markdown tables, so the printed result can be pasted into a README as it is.

export function percent(fraction) {
  return Number.isFinite(fraction) ? `${(100 * fraction).toFixed(2)} %` : "-";
}

export function milliseconds(ms) {
  return ms < 1 ? ms.toFixed(3) : ms.toFixed(2);
}

/** Rows of cells (strings) under `headers`; columns after the first are right-aligned. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const rule = headers.map((_, i) => (i === 0 ? "---" : "---:"));
  return [line(headers), line(rule), ...rows.map(line)].join("\n");
}
