/** A problem with what the user asked for: printed as "error: <message>" without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** True for the error an aborted signal produces (Ctrl-C). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "InterruptedError");
}

/** The reason the command line aborts with on Ctrl-C. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}
