// Small formatting helpers shared by the progress display and the reports.

/** "1h 02m", "3m 05s", "12.3s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}m ${String(s % 60).padStart(2, "0")}s`;
}

/** An accuracy or recall (0..1) as a percentage with two decimals, "—" when undefined. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? "—" : (value * 100).toFixed(2);
}

/** "81.23 ± 2.10" from a mean and std in 0..1. */
export function meanStd(s: { mean: number; std: number } | undefined): string {
  return s ? `${percent(s.mean)} ± ${percent(s.std)}` : "—";
}

/** A Markdown table; cells are escaped for pipes. */
export function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  const line = (cells: string[]) => `| ${cells.map(escape).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** NaN (a class without test faces) becomes null in JSON. */
export function jsonNumbers(values: number[]): Array<number | null> {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}
