// Turns the command line's paths into image files: files as given, directories walked.
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";

/** Extensions picked up when a directory is walked (a file named on the command line is always tried). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([".png", ".jpg", ".jpeg", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif"]);

export interface ImageFile {
  /** The path to read. */
  readonly path: string;
  /** A name for output copies: the file's name, or its path inside the directory it was found in. */
  readonly name: string;
}

export interface PathProblem {
  readonly path: string;
  readonly problem: string;
}

/**
 * Symbolic links are followed; a broken one is a problem, and a folder already walked (a link
 * back up the tree) is not walked again.
 */
async function walk(dir: string, root: string, out: ImageFile[], skipped: PathProblem[], seen: Set<string>): Promise<void> {
  seen.add(await realpath(dir));
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory(), isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (!target) {
        skipped.push({ path, problem: "broken symbolic link" });
        continue;
      }
      isDirectory = target.isDirectory();
      isFile = target.isFile();
      if (isDirectory && seen.has(await realpath(path))) {
        skipped.push({ path, problem: "symbolic link to a folder already walked (a loop)" });
        continue;
      }
    }
    if (isDirectory) await walk(path, root, out, skipped, seen);
    else if (isFile && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push({ path, name: join(basename(root), relative(root, path)) });
  }
}

/**
 * The image files the paths name, in order; paths that do not exist are problems, not errors;
 * what a walk leaves out (broken links, loops) is listed as skipped.
 */
export async function findImages(paths: readonly string[]): Promise<{ files: ImageFile[]; problems: PathProblem[]; skipped: PathProblem[] }> {
  const files: ImageFile[] = [];
  const problems: PathProblem[] = [];
  const skipped: PathProblem[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path, path, files, skipped, new Set());
      else files.push({ path, name: basename(path) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({ path, problem: code === "ENOENT" ? "no such file or directory" : `cannot read it (${code ?? String(error)})` });
    }
  }
  return { files, problems, skipped };
}
