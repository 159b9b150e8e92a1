// Incremental cost, in-process: index N articles with the indexer, memory store and app the
// server uses, warm every feed, then time taking in one new article and re-rendering its feeds.
// Each size runs in a child process of its own (`tsx bench/incremental.ts --child N`), so heaps
// do not mix; the child prints one JSON line.
import { readdir, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../src/http/app.ts';
import type { ParseOptions } from '../src/article/types.ts';
import { resolveConfig } from '../src/site/config.ts';
import { createIndexer } from '../src/node/intake/indexer.ts';
import { createFileStore } from '../src/node/file-store.ts';
import {
  BENCH_PREFIX,
  TSX,
  captureOutput,
  exitOf,
  fmt,
  machineNote,
  markdownTable,
  median,
  percentile,
  progress,
  ratio,
  spawnGroup,
  stopGroup,
  type Goal,
} from './lib.ts';
import { articleText, ensureCorpus, writeArticle } from './corpus.ts';

const GOAL_MS = 10;
const FEED_LABELS = ['section rss.xml', 'section atom.xml', 'section feed.json', '/rss.xml', '/atom.xml', '/feed.json'];
const SCAN_CONCURRENCY = 32;

export interface IncrementalSample {
  cpuMs: number;
  wallMs: number;
  /** CPU of indexer.update alone. */
  updateCpuMs: number;
  /** CPU of the six feed requests alone. */
  renderCpuMs: number;
  /** CPU of each feed request, in FEED_LABELS order. */
  feedCpuMs: number[];
}

export interface IncrementalResult {
  size: number;
  indexMs: number;
  samples: IncrementalSample[];
}

export interface IncrementalOptions {
  count: number;
  warmup: number;
}

/** Runs the measurement for one corpus size in a child process. */
export async function runIncremental(size: number, options: IncrementalOptions): Promise<IncrementalResult> {
  const dir = await ensureCorpus(size);
  progress(`incremental ${size}: indexing in a child process`);
  const child = spawnGroup(TSX, ['bench/incremental.ts', '--child', dir, String(options.count), String(options.warmup)], process.env);
  const output = captureOutput(child);
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  try {
    const code = await exitOf(child, 900_000);
    const line = output.text().trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`incremental ${size} failed (${code}): ${output.text().slice(-2000)}`);
    const result = JSON.parse(line) as IncrementalResult;
    progress(`incremental ${size}: median ${median(result.samples.map((s) => s.cpuMs)).toFixed(2)} ms CPU`);
    return result;
  } finally {
    await stopGroup(child);
  }
}

async function measure(dir: string, count: number, warmup: number): Promise<IncrementalResult> {
  const root = await realpath(dir);
  const config = resolveConfig({ ARTICLES_DIR: root, HOST: '127.0.0.1' });
  const parseOptions: ParseOptions = {
    baseUrl: config.site.baseUrl,
    idAuthority: config.site.idAuthority,
    defaultSection: config.defaultSection,
    maxBytes: config.maxFileBytes,
  };
  // The store `wirefeed serve` uses: lean, bodies read from the files through the app's cache.
  const store = createFileStore({ dir: root, parseOptions });
  let logged = 0;
  const indexer = createIndexer({ dir: root, store, parseOptions, log: () => logged++ });

  const started = performance.now();
  // The generated corpora are flat: every article is a top-level .txt or .md file.
  const files = (await readdir(root)).filter((name) => !name.startsWith('.') && /\.(txt|md)$/.test(name));
  let next = 0;
  const worker = async () => {
    while (next < files.length) await indexer.update(files[next++]!, true);
  };
  await Promise.all(Array.from({ length: SCAN_CONCURRENCY }, worker));
  const indexMs = performance.now() - started;
  const { articles } = await store.status();
  process.stderr.write(`[incremental child] indexed ${articles} articles in ${fmt(indexMs)} ms\n`);

  const app = createApp({ store, site: config.site, feedLimit: config.feedLimit });
  const sections = await store.listSections();
  const feedsOf = (slug: string) => [`/${slug}/rss.xml`, `/${slug}/atom.xml`, `/${slug}/feed.json`, '/rss.xml', '/atom.xml', '/feed.json'];
  for (const section of sections) {
    for (const url of feedsOf(section.slug)) {
      const response = await app.request(url);
      if (response.status !== 200) throw new Error(`warm-up: ${url} answered ${response.status}`);
      await response.arrayBuffer();
    }
  }

  const samples: IncrementalSample[] = [];
  const written: string[] = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      const section = sections[i % sections.length]!;
      const name = `${BENCH_PREFIX}incremental-${process.pid}-${i}.txt`;
      const title = `Bench incremental ${process.pid} number ${i}`;
      // Writing the file is the editor's work, not ours: it happens before the clock starts.
      await writeArticle(root, name, articleText(section.name, title));
      written.push(name);

      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      await indexer.update(name);
      const cpu1 = process.cpuUsage();
      let rss: ArrayBuffer | undefined;
      const feedCpu: NodeJS.CpuUsage[] = [];
      for (const url of feedsOf(section.slug)) {
        const response = await app.request(url);
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        const body = await response.arrayBuffer();
        rss ??= body;
        feedCpu.push(process.cpuUsage());
      }
      const wall = performance.now() - wall0;
      const cpu2 = process.cpuUsage();
      if (!new TextDecoder().decode(rss).includes(title)) throw new Error(`"${title}" is not in /${section.slug}/rss.xml after the update`);
      if (i < warmup) continue;
      const ms = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1000;
      const feedCpuMs = feedCpu.map((after, k) => ms(k === 0 ? cpu1 : feedCpu[k - 1]!, after));
      samples.push({ cpuMs: ms(cpu0, cpu2), wallMs: wall, updateCpuMs: ms(cpu0, cpu1), renderCpuMs: ms(cpu1, cpu2), feedCpuMs });
    }
  } finally {
    await Promise.all(written.map((name) => unlink(join(root, name)).catch(() => undefined)));
  }
  return { size: articles, indexMs, samples };
}

export function reportIncremental(results: IncrementalResult[], options: IncrementalOptions): { markdown: string; goals: Goal[] } {
  const goals: Goal[] = [];
  const stat = (result: IncrementalResult, pick: (s: IncrementalSample) => number, p: number) => percentile(result.samples.map(pick), p);
  const smallest = results[0]!;
  const rows = results.map((result) => {
    const p50 = stat(result, (s) => s.cpuMs, 50);
    const met = p50 < GOAL_MS;
    goals.push({ name: `Incremental ${fmt(result.size)}: CPU per new article`, target: `< ${GOAL_MS} ms (median)`, measured: `${p50.toFixed(1)} ms (p95 ${stat(result, (s) => s.cpuMs, 95).toFixed(1)} ms)`, met });
    return [
      fmt(result.size),
      `**${p50.toFixed(1)}**`,
      stat(result, (s) => s.cpuMs, 95).toFixed(1),
      stat(result, (s) => s.wallMs, 50).toFixed(1),
      stat(result, (s) => s.wallMs, 95).toFixed(1),
      `${stat(result, (s) => s.updateCpuMs, 50).toFixed(1)} + ${stat(result, (s) => s.renderCpuMs, 50).toFixed(1)}`,
      result === smallest ? '1.00x (baseline)' : ratio(p50, stat(smallest, (s) => s.cpuMs, 50)),
      fmt(result.indexMs),
      `< ${GOAL_MS} ms ${met ? 'met' : 'NOT met'}`,
    ];
  });
  const markdown = [
    '## 5. Incremental cost of one new article',
    '',
    `${machineNote(`${options.count} new articles per size (after ${options.warmup} untimed)`)}.`,
    '',
    markdownTable(
      ['Articles', 'CPU median ms', 'CPU p95 ms', 'wall median ms', 'wall p95 ms', 'CPU median: update + 6 feeds', `CPU vs ${fmt(smallest.size)}`, 'initial index (ms)', 'goal (CPU median)'],
      rows,
    ),
    '',
    `Median CPU ms per feed request after a new article: ${results
      .map((result) => `${fmt(result.size)}: ${FEED_LABELS.map((label, k) => `${label} ${stat(result, (s) => s.feedCpuMs[k] ?? NaN, 50).toFixed(1)}`).join(', ')}`)
      .join('; ')}.`,
    '',
    'In-process, in a child process per size (`tsx bench/incremental.ts --child`): `createIndexer` + `createFileStore` (the lean store `wirefeed serve` uses) + `createApp` ' +
      'over the corpus (indexed with 32 updates in flight, like the server\'s scan), every section\'s three feeds and the three combined ' +
      'feeds requested once through `app.request`. Then per new article (its file written before the clock starts, round-robin over ' +
      'sections): `indexer.update(path)`, then `app.request` of its section\'s rss.xml, atom.xml, feed.json and the combined /rss.xml, ' +
      '/atom.xml, /feed.json, bodies read. CPU is `process.cpuUsage()` user+system of the whole process (libuv file reads included); ' +
      'the title is checked to be in the section\'s RSS afterwards.',
  ].join('\n');
  return { markdown, goals };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] === '--child') {
  const [dir, count, warmup] = process.argv.slice(3);
  const result = await measure(dir!, Number(count), Number(warmup));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
