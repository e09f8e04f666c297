export { writeFileAtomic } from "@microexp/models/node";

/** A name safe in a folder name: letters, digits, ".", "_", "-". */
export function safeName(text: string): string {
  return text.replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "") || "run";
}
