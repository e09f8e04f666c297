// Runs the README's Node example as written, on the committed fixture face.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));

it("the README's usage example runs and labels the fixture face", () => {
  const readme = readFileSync(`${here}../README.md`, "utf8");
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  // The example is plain JavaScript (no type annotations), so it runs as an ES module.
  const script = `${here}../readme-example.tmp.mjs`;
  writeFileSync(script, example!.replace('"face.jpg"', JSON.stringify(`${here}fixtures/astronaut-face.jpg`)));
  try {
    const output = execFileSync(process.execPath, [script], { encoding: "utf8" });
    const lines = output.trim().split("\n");
    // The default model's 7 FER2013 labels.
    expect(lines[0]).toMatch(/^(angry|disgust|fear|happy|sad|surprise|neutral) \d\.\d{3}$/);
    expect(lines.slice(1)).toHaveLength(7);
    console.log(output);
  } finally {
    rmSync(script, { force: true });
  }
});
