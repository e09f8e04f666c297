import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "./errors.js";
import { isSystemFile } from "./file-names.js";

export interface DirListing {
  /** Sorted names of regular files (symlinks followed). */
  files: string[];
  /** Sorted names of sub-folders (symlinks followed). */
  dirs: string[];
  /** Sorted names of system and hidden files or folders (see isSystemFile). */
  system: string[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One readdir, sorted and split into files, folders and system files; a clear error if the folder is missing. */
export async function listDir(dir: string): Promise<DirListing> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DatasetError(dir, "folder not found");
    if (code === "ENOTDIR") throw new DatasetError(dir, "expected a folder, found a file");
    throw new DatasetError(dir, `cannot read folder (${code ?? String(error)})`);
  }
  const listing: DirListing = { files: [], dirs: [], system: [] };
  for (const dirent of dirents) {
    if (isSystemFile(dirent.name)) {
      listing.system.push(dirent.name);
      continue;
    }
    let isDir = dirent.isDirectory();
    let isFile = dirent.isFile();
    if (dirent.isSymbolicLink()) {
      const target = await stat(join(dir, dirent.name)).catch(() => null);
      if (!target) throw new DatasetError(join(dir, dirent.name), "broken symbolic link");
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) listing.dirs.push(dirent.name);
    else if (isFile) listing.files.push(dirent.name);
  }
  listing.files.sort(byName);
  listing.dirs.sort(byName);
  listing.system.sort(byName);
  return listing;
}

/** Finds a sub-folder by name, ignoring case (copies of datasets differ in case). */
export function findDir(listing: DirListing, name: string): string | undefined {
  const lower = name.toLowerCase();
  return listing.dirs.find((dir) => dir === name) ?? listing.dirs.find((dir) => dir.toLowerCase() === lower);
}
