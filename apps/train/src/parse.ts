// Parsers for numeric command-line values: a bad value is an error that names the option.
import { InvalidArgumentError } from "commander";

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected an integer >= 0.");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0.");
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("expected a number >= 0.");
  return n;
}

/** A rate or weight in [0, 1] (dropout must stay below 1: a layer that drops everything learns nothing). */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError("expected a number between 0 and 1.");
  return n;
}

export function dropoutRate(value: string): number {
  const n = unitInterval(value);
  if (n >= 1) throw new InvalidArgumentError("expected a rate in [0, 1).");
  return n;
}

/** A comma-separated list of positive numbers, e.g. "2,4,8". */
export function positiveNumberList(value: string): number[] {
  const parts = value.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) throw new InvalidArgumentError("expected a comma-separated list of numbers.");
  return parts.map((part) => {
    const n = Number(part);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${part}" is not a number > 0.`);
    return n;
  });
}

/** A comma-separated list of names. */
export function nameList(value: string): string[] {
  const names = value.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (names.length === 0) throw new InvalidArgumentError("expected a comma-separated list of names.");
  return names;
}
