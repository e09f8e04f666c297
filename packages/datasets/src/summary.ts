import { SKIP_REASONS, type Manifest, type SkipReason } from "./manifest.js";

export interface SkipSummary {
  reason: SkipReason;
  description: string;
  count: number;
  /** Up to five of the skipped paths. */
  examples: string[];
}

export interface ManifestSummary {
  source: string;
  root: string;
  entries: number;
  /** Entries per label name, in label order. */
  perClass: Record<string, number>;
  subjects: number;
  sequences: number;
  skipped: SkipSummary[];
}

/** Counts per class, subjects, sequences, and what was skipped grouped by reason. */
export function summarizeManifest(manifest: Manifest): ManifestSummary {
  const perClass: Record<string, number> = {};
  for (const name of manifest.labelNames) perClass[name] = 0;
  const subjects = new Set<string>();
  const sequences = new Set<string>();
  for (const entry of manifest.entries) {
    perClass[entry.labelName] += 1;
    if (entry.subject !== null) subjects.add(entry.subject);
    if (entry.sequence !== null) sequences.add(entry.sequence);
  }
  const byReason = new Map<SkipReason, SkipSummary>();
  for (const item of manifest.skipped) {
    let group = byReason.get(item.reason);
    if (!group) {
      group = { reason: item.reason, description: SKIP_REASONS[item.reason], count: 0, examples: [] };
      byReason.set(item.reason, group);
    }
    group.count += 1;
    if (group.examples.length < 5) group.examples.push(item.detail ? `${item.path} (${item.detail})` : item.path);
  }
  return {
    source: manifest.source,
    root: manifest.root,
    entries: manifest.entries.length,
    perClass,
    subjects: subjects.size,
    sequences: sequences.size,
    skipped: [...byReason.values()],
  };
}

/** A few human-readable lines: what was loaded and what was skipped, and why. */
export function formatSummary(manifest: Manifest): string {
  const s = summarizeManifest(manifest);
  const classes = Object.entries(s.perClass)
    .map(([name, count]) => `${name} ${count}`)
    .join(", ");
  const lines = [
    `${s.source}: ${s.entries} images, ${s.subjects} subjects, ${s.sequences} sequences (${s.root})`,
    `classes: ${classes}`,
  ];
  if (s.skipped.length === 0) lines.push("skipped: nothing");
  for (const group of s.skipped) {
    lines.push(`skipped ${group.count}: ${group.description}, e.g. ${group.examples.join("; ")}`);
  }
  return lines.join("\n");
}
