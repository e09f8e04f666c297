#!/usr/bin/env node
// microexp-train: the research command line. Ctrl-C stops cleanly (the last epoch checkpoints
// and finished folds are kept); a second Ctrl-C quits at once.
import { CommanderError } from "commander";
import { InterruptedError, isAbort } from "./errors.js";
import { createProgram } from "./program.js";
import { createProgress } from "./progress.js";

async function main(): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  // SIGTERM too: how service managers and cluster schedulers stop a queue worker.
  const interrupt = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write("\nstopping after the current step (Ctrl-C again to quit at once)...\n");
    controller.abort(new InterruptedError());
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  const program = createProgram({
    argv: process.argv.slice(2),
    print: (text) => process.stdout.write(`${text}\n`),
    progress: () => createProgress(),
    signal: controller.signal,
  });
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed the message (or the help)
    if (isAbort(error)) {
      process.stderr.write("interrupted: finished folds and the last epoch checkpoints are kept; run the same command again to resume\n");
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.MICROEXP_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

// No top-level await: this file is also built as CommonJS.
void main().then((code) => {
  process.exitCode = code;
  // Worker threads and wasm may hold the event loop open after an error or an interrupt.
  if (code !== 0) setTimeout(() => process.exit(code), 100).unref();
});
