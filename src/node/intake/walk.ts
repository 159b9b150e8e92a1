// Which paths in the articles folder the intake looks at, and the walk that finds them (media
// files are found by the same walk, media-files.ts). The one ignore rule: dotfiles and dot-folders
// anywhere (the state folder `.wirefeed/` among them), and files that are not articles (editor
// temp files included).
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isArticlePath } from '../../article/parse.ts';

/** True for paths the intake never reads: anything under a dot-name, and non-article files. */
export function isIgnored(path: string, isFile?: boolean): boolean {
  if (path === '' || path === '.') return false;
  if (path.split('/').some((segment) => segment.startsWith('.'))) return true;
  return isFile === true && !isArticlePath(path);
}

export interface WalkResult {
  /** The files kept (symlinks included), relative with POSIX separators. */
  files: string[];
  /** Every folder found below the starting prefix. */
  folders: string[];
}

/** Every article path under `dir/prefix`: `walkFolder` keeping article files. */
export function walkArticles(dir: string, prefix = ''): Promise<WalkResult> {
  return walkFolder(dir, isArticlePath, prefix);
}

/**
 * Every file under `dir/prefix` whose path `keep` accepts, relative to `dir` with POSIX
 * separators; dot-names are skipped. One `readdir` per folder, no stat per file. A sub-folder that
 * vanished or cannot be read is skipped; the starting folder itself must be readable (its error
 * is thrown).
 */
export async function walkFolder(dir: string, keep: (path: string) => boolean, prefix = ''): Promise<WalkResult> {
  const result: WalkResult = { files: [], folders: [] };
  await walkInto(dir, keep, prefix, result, true);
  return result;
}

async function walkInto(dir: string, keep: (path: string) => boolean, prefix: string, result: WalkResult, top: boolean): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(prefix === '' ? dir : join(dir, ...prefix.split('/')), { withFileTypes: true });
  } catch (error) {
    if (top) throw error;
    return;
  }
  const below: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) below.push(path);
    else if ((entry.isFile() || entry.isSymbolicLink()) && keep(path)) result.files.push(path);
  }
  for (const folder of below) {
    result.folders.push(folder);
    await walkInto(dir, keep, folder, result, false);
  }
}

/** Plain code-unit order: the same on every runtime and locale. */
export function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
