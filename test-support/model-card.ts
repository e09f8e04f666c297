// Shared by the packages that ship weights: a model card (weights/<name>.md) must state the
// facts of the very file beside it, as the file's own header gives them.
import { createHash } from "node:crypto";
import { expect } from "vitest";

export interface WeightsFileFacts {
  /** The model's name, the card's title. */
  name: string;
  /** The file name in weights/. */
  file: string;
  bytes: Uint8Array;
  /** The layer graph's name (the architecture). */
  architecture: string;
  parameters: number;
  labels: readonly string[];
  version: string | undefined;
}

const count = (n: number) => n.toLocaleString("en-US");

export function expectCardToState(card: string, facts: WeightsFileFacts): void {
  expect(card).toContain(`# Model card: ${facts.name}`);
  expect(card).toContain(`\`weights/${facts.file}\`, ${count(facts.bytes.length)} bytes`);
  expect(card).toContain(createHash("sha256").update(facts.bytes).digest("hex"));
  expect(card).toContain(`\`${facts.architecture}\``);
  expect(card).toContain(`| parameters | ${count(facts.parameters)} |`);
  expect(card).toContain(`| labels, in output order | ${facts.labels.join(", ")} |`);
  expect(card).toContain(`| weights version | ${facts.version} |`);
}
