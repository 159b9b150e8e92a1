// The output folder of a static build: refuses dangerous targets, stages the new build inside
// the folder and swaps it in at the end, so a failed build leaves the previous one in place and
// files of removed articles do not linger. Nothing outside the folder is ever written or deleted.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, parse, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../errors.ts';

/** First line of the `_headers` file a build writes: how a later build knows the folder is ours. */
export const BUILD_MARKER = '# Written by `wirefeed build`';
const WORK_PREFIX = '.wirefeed-';

export interface BuildOutput {
  /** Absolute, real path of the output folder. */
  readonly dir: string;
  /** Writes `file` (relative, POSIX separators) into the staged build. */
  write(file: string, body: Uint8Array | string): Promise<void>;
  /** Replaces the folder's previous build with the staged one. */
  commit(): Promise<void>;
  /** Drops the staged build; the previous one stays. */
  abort(): Promise<void>;
}

/**
 * Checks `out` and starts a staged build in it. Refuses `/`, the articles folder, a folder that
 * contains it, and a non-empty folder that no earlier build wrote (its `_headers` would start
 * with BUILD_MARKER). Entries whose names start with a dot (`.git`, `.well-known`) are kept.
 */
export async function openBuildOutput(out: string, articlesDir: string): Promise<BuildOutput> {
  const dir = await realPathOf(resolve(out));
  const articles = await realpath(articlesDir);
  if (dir === parse(dir).root) throw new ConfigError(`--out "${out}" is the root of the file system: choose an empty folder for the build`);
  if (dir === articles || isInside(articles, dir)) {
    throw new ConfigError(`--out "${out}" would hold the articles folder ${articles}: choose a folder outside it, e.g. ./public`);
  }
  const existing = await lstat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new ConfigError(`--out "${out}" is a file, not a folder`);
  // Work folders left by a build that crashed do not make the folder anyone else's.
  const entries = existing ? (await ownedEntries(dir)).filter((name) => !name.startsWith(WORK_PREFIX)) : [];
  if (entries.length > 0 && !(await isEarlierBuild(dir))) {
    throw new ConfigError(
      `--out "${out}" is not empty and was not written by wirefeed build (its _headers does not start with "${BUILD_MARKER}"): empty it or choose another folder, since a build replaces everything in it`,
    );
  }
  await mkdir(dir, { recursive: true });
  const staging = join(dir, `${WORK_PREFIX}staging-${randomUUID().slice(0, 8)}`);
  await mkdir(staging);
  const made = new Set<string>();

  return {
    dir,
    async write(file, body) {
      const target = join(staging, ...file.split('/'));
      if (!isInside(target, staging)) throw new Error(`[build] refusing to write ${file} outside the build folder`);
      const folder = dirname(target);
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      await writeFile(target, body, { flag: 'wx' });
    },
    async commit() {
      // Move the old build aside first, then the new one in: the gap is a handful of renames.
      const trash = join(dir, `${WORK_PREFIX}old-${randomUUID().slice(0, 8)}`);
      await mkdir(trash);
      for (const name of await ownedEntries(dir)) {
        if (join(dir, name) === staging || join(dir, name) === trash) continue;
        await rename(join(dir, name), join(trash, name));
      }
      for (const name of await readdir(staging)) await rename(join(staging, name), join(dir, name));
      await rm(staging, { recursive: true, force: true });
      await rm(trash, { recursive: true, force: true });
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}

/** The entries a build owns: everything except dot-entries, but including our own work folders. */
async function ownedEntries(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => !name.startsWith('.') || name.startsWith(WORK_PREFIX));
}

async function isEarlierBuild(dir: string): Promise<boolean> {
  const headers = await readFile(join(dir, '_headers'), 'utf8').catch(() => '');
  return headers.startsWith(BUILD_MARKER);
}

/** True when `path` is strictly inside `folder`. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !parse(rel).root;
}

/** The real path of `path`, resolving symlinks in the part that exists (the rest may not yet). */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realPathOf(parent), basename(path));
  }
}
