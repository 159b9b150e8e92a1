// The articles folder of the load test: a few hundred articles to start with, then a writer
// that creates, edits and deletes files in it for as long as the readers run.
import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TempDir } from '../helpers/temp-dir.ts';

export const LOAD_SECTIONS = ['Politics', 'Sports', 'Science', 'World', 'Business', 'Culture'];
const HOUR_MS = 3_600_000;

/** A deterministic pseudo-random stream (mulberry32), so a run can be repeated. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function articleText(kind: 'txt' | 'md', section: string, title: string, paragraphs: number, date: Date): string {
  const body = Array.from({ length: paragraphs }, (_, i) => `Paragraph ${i + 1} of ${title}: the council met & agreed <nothing> "yet".`);
  if (kind === 'txt') return [section, title, ...body].join('\n\n');
  return `---\ntitle: "${title}"\nsection: ${section}\ndate: ${date.toISOString()}\ntags: [load, ${section.toLowerCase()}]\n---\n\n${body.join('\n\n')}\n`;
}

/** Writes `perSection` articles into each section folder, dated an hour apart; returns their paths. */
export async function writeBaseArticles(temp: TempDir, perSection: number): Promise<string[]> {
  const start = Date.now() - 1000 * HOUR_MS;
  const paths: string[] = [];
  for (const section of LOAD_SECTIONS) {
    for (let i = 0; i < perSection; i++) {
      const n = paths.length;
      const kind = n % 3 === 0 ? 'md' : 'txt';
      const date = new Date(start + n * HOUR_MS);
      const path = `${section.toLowerCase()}/base-${i}.${kind}`;
      await utimes(await temp.write(path, articleText(kind, section, `Base story ${n}`, 3 + (n % 5), date)), date, date);
      paths.push(path);
    }
  }
  return paths;
}

export interface WriterCounts {
  creates: number;
  edits: number;
  deletes: number;
  /** Files the writer made that are still there: the folder holds the base files plus these. */
  live: number;
}

/**
 * Changes the folder every `intervalMs` until `until` (a performance.now() time): new articles,
 * edits of its own and of the base articles, deletes of its own, each saved either in place or
 * through a temp file and a rename, as editors do. Never keeps more than `maxLive` files of its own,
 * named `<prefix>-N`, so two runs over one folder never collide.
 */
export async function runWriter(
  dir: string,
  basePaths: readonly string[],
  until: number,
  { seed = 7, intervalMs = 25, maxLive = 150, prefix = 'live' } = {},
): Promise<WriterCounts> {
  const random = makeRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const live: string[] = [];
  const counts = { creates: 0, edits: 0, deletes: 0 };
  let serial = 0;
  const write = (path: string, title: string) => {
    const section = LOAD_SECTIONS.find((name) => path.startsWith(`${name.toLowerCase()}/`))!;
    const text = articleText(path.endsWith('.md') ? 'md' : 'txt', section, title, 1 + Math.floor(random() * 6), new Date());
    return save(dir, path, text, random() < 0.5);
  };
  while (performance.now() < until) {
    const roll = random();
    if (live.length < 10 || (roll < 0.45 && live.length < maxLive)) {
      const path = `${pick(LOAD_SECTIONS).toLowerCase()}/${prefix}-${serial}.${random() < 0.5 ? 'md' : 'txt'}`;
      await write(path, `${prefix} story ${serial++}`);
      live.push(path);
      counts.creates += 1;
    } else if (roll < 0.75) {
      await write(random() < 0.7 ? pick(live) : pick(basePaths), `Edited story ${serial++}`);
      counts.edits += 1;
    } else {
      const index = Math.floor(random() * live.length);
      await rm(join(dir, live[index]!));
      live.splice(index, 1);
      counts.deletes += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return { ...counts, live: live.length };
}

async function save(dir: string, path: string, text: string, atomic: boolean): Promise<void> {
  const file = join(dir, path);
  if (!atomic) return writeFile(file, text);
  const temp = join(dir, path.replace(/[^/]+$/, (name) => `.${name}.saving`));
  await writeFile(temp, text);
  await rename(temp, file);
}
