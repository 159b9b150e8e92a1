// Benchmark corpora in /dev/shm (flat or one folder per section), the articles the bench adds to
// them, and the memory check that guards the optional 1,000,000-article run.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_PREFIX, GEN_ARTICLES, fmt, progress } from './lib.ts';

export const LAYOUTS = ['flat', 'by-section'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Bytes a generated article takes on tmpfs, and the server's resident memory per article today. */
export const CORPUS_BYTES_PER_ARTICLE = 6 * 1024;
export const RSS_BYTES_PER_ARTICLE = 6 * 1024;

export function corpusDir(count: number, layout: Layout = 'flat'): string {
  return `/dev/shm/wirefeed-bench-${count}${layout === 'flat' ? '' : `-${layout}`}`;
}

function corpusArgs(count: number, layout: Layout, dir: string): string[] {
  return ['--count', String(count), '--out', dir, '--quiet', ...(layout === 'by-section' ? ['--by-section'] : [])];
}

/** Article files under `dir` (one level of section folders), dot-names skipped. */
function countArticles(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) count += countArticles(join(dir, entry.name));
    else count++;
  }
  return count;
}

/** Removes what the bench added to a corpus: zz-bench-* files and folders (top level and in section folders). */
export async function removeBenchFiles(dir: string): Promise<void> {
  const isOurs = (name: string) => name.startsWith(BENCH_PREFIX) || name.startsWith(`.${BENCH_PREFIX}`);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (isOurs(entry.name)) await rm(join(dir, entry.name), { recursive: true, force: true });
    else if (entry.isDirectory() && !entry.name.startsWith('.')) {
      for (const name of await readdir(join(dir, entry.name))) {
        if (isOurs(name)) await rm(join(dir, entry.name, name), { recursive: true, force: true });
      }
    }
  }
}

/**
 * Makes sure the corpus folder holds exactly the N generated articles: leftovers of an
 * interrupted run (and any state a server kept inside it) are removed, a folder generated with
 * other options is regenerated.
 */
export async function ensureCorpus(count: number, layout: Layout = 'flat'): Promise<string> {
  const dir = corpusDir(count, layout);
  const marker = `${dir}.json`;
  const args = corpusArgs(count, layout, dir);
  if (existsSync(dir)) {
    await removeBenchFiles(dir);
    await rm(join(dir, '.wirefeed'), { recursive: true, force: true });
    const same = existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(args);
    if (same && countArticles(dir) === count) {
      progress(`corpus ${dir}: reusing ${fmt(count)} articles`);
      return dir;
    }
    await rm(dir, { recursive: true, force: true });
  }
  progress(`corpus ${dir}: generating ${fmt(count)} articles (${layout})`);
  await promisify(execFile)(process.execPath, [GEN_ARTICLES, ...args], { timeout: Math.max(600_000, count * 3) });
  writeFileSync(marker, JSON.stringify(args));
  return dir;
}

/** True when the corpus is already there as generated (so it needs no new space). */
function corpusReady(count: number, layout: Layout): boolean {
  const dir = corpusDir(count, layout);
  const marker = `${dir}.json`;
  return existsSync(dir) && existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(corpusArgs(count, layout, dir));
}

/**
 * Why a corpus of `count` articles and a server over it would not fit on this machine, or
 * undefined if they would: the corpus (unless already generated) must fit in /dev/shm's free
 * space, and the corpus plus the server's projected RSS in 80% of MemAvailable.
 */
export function memoryShortfall(count: number, layout: Layout): string | undefined {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const available = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? NaN) * 1024;
  const shm = statfsSync('/dev/shm');
  const shmFree = shm.bavail * shm.bsize;
  const corpus = corpusReady(count, layout) ? 0 : count * CORPUS_BYTES_PER_ARTICLE;
  const rss = count * RSS_BYTES_PER_ARTICLE;
  if (!Number.isFinite(available)) return 'MemAvailable not found in /proc/meminfo';
  if (corpus > shmFree) return `the corpus needs ~${gib(corpus)} in /dev/shm, which has ${gib(shmFree)} free`;
  if (corpus + rss > 0.8 * available) {
    return (
      `corpus ~${gib(corpus)}${corpus === 0 ? ' (already generated)' : ''} + projected server RSS ~${gib(rss)} ` +
      `(21 KiB/article) > 80% of MemAvailable (${gib(available)})`
    );
  }
  return undefined;
}

/** The folder a new article of section `slug` goes into: the top folder (flat) or its section folder. */
export function sectionFolder(dir: string, layout: Layout, slug: string): string {
  if (layout === 'flat') return dir;
  const folder = join(dir, slug);
  if (!existsSync(folder)) throw new Error(`no section folder ${folder} for section "${slug}"`);
  return folder;
}

/** A new plain-text article; `title` is plain ASCII, so it appears verbatim in every feed format. */
export function articleText(sectionName: string, title: string): string {
  const paragraph = 'The bench wrote this paragraph to measure how quickly a new article reaches the feeds.';
  return `${sectionName}\n\n${title}\n\n${paragraph}\n\n${paragraph} It has a second sentence.\n`;
}

/** Writes the file under a dot-name (ignored by the watcher), then renames it into place. */
export async function writeArticle(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `.${name}.tmp`);
  await writeFile(temp, text);
  await rename(temp, join(dir, name));
}
