// Which networks can be trained: students of the MicroExpNet family and the teachers.
import { allArchitectureIds, ARCHITECTURE_ALIASES, resolveArchitectureId } from "@microexp/infer";
import { TEACHERS } from "@microexp/models";
import { isFamilyMember } from "@microexp/distill";
import { UsageError } from "./errors.js";

export function knownStudents(): string[] {
  return [...Object.keys(ARCHITECTURE_ALIASES), ...allArchitectureIds()];
}

export function knownTeachers(): string[] {
  return [...Object.keys(TEACHERS), "or a family member (p1-M, ...)"];
}

/** A trainable network's name, checked: a family member (any alias) or a teacher. */
export function checkModel(name: string, option: "--model" | "--teacher"): string {
  if (isFamilyMember(name) || name in TEACHERS) return name;
  const known = option === "--model" ? [...knownStudents(), ...Object.keys(TEACHERS)] : knownTeachers();
  throw new UsageError(`${option} ${name}: unknown model; known: ${known.join(", ")}`);
}

/** A family member's architecture id ("microexpnet" -> "p12-XXS"); other names unchanged. */
export function architectureOf(name: string): string {
  return isFamilyMember(name) ? resolveArchitectureId(name) : name;
}
