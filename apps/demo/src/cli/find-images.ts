// Turns the command line's paths into image files: files as given, directories walked.
import { readdir, stat } from "node:fs/promises";
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

async function walk(dir: string, root: string, out: ImageFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, root, out);
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push({ path, name: join(basename(root), relative(root, path)) });
  }
}

/** The image files the paths name, in order; paths that do not exist are problems, not errors. */
export async function findImages(paths: readonly string[]): Promise<{ files: ImageFile[]; problems: PathProblem[] }> {
  const files: ImageFile[] = [];
  const problems: PathProblem[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path, path, files);
      else files.push({ path, name: basename(path) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({ path, problem: code === "ENOENT" ? "no such file or directory" : `cannot read it (${code ?? String(error)})` });
    }
  }
  return { files, problems };
}
