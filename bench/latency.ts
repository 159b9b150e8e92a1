// Update latency: new article files written into a running server's folder, one every
// `spacingMs`, each timed from its rename resolving until its title is in its section's RSS feed.
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_PREFIX,
  articleText,
  fmt,
  httpGet,
  machineNote,
  markdownTable,
  percentile,
  progress,
  sectionsOf,
  sleep,
  writeArticle,
  type Goal,
  type RunningWirefeed,
} from './lib.ts';

export interface LatencyOptions {
  count: number;
  spacingMs: number;
  pollMs: number;
  /** The server's SETTLE_MS (its default). */
  settleMs: number;
  /** A file not visible after this long counts as lost. */
  timeoutMs: number;
}

export interface LatencyResult {
  size: number;
  /** Milliseconds from rename to visible, one per file seen. */
  latencies: number[];
  lost: number;
  /** Of the lost files, how many the server's log says it published (so only the feed missed them). */
  lostButLogged: number;
}

interface Pending {
  slug: string;
  title: string;
  file: string;
  writtenAt: number;
}

/** Writes `count` articles into the server's folder at a fixed rate and times each one into the feed. */
export async function runLatency(server: RunningWirefeed, size: number, options: LatencyOptions): Promise<LatencyResult> {
  const sections = await sectionsOf(server.base);
  const stamp = `${process.pid}-${size}`;
  const pending = new Map<string, Pending>();
  const latencies: number[] = [];
  const lostFiles: string[] = [];
  let logged = 0;
  let writing = true;

  const writer = (async () => {
    const start = performance.now();
    try {
      for (let i = 0; i < options.count; i++) {
        const section = sections[i % sections.length]!;
        const title = `Bench update ${stamp} number ${i}`;
        const file = `${BENCH_PREFIX}update-${stamp}-${i}.txt`;
        await writeArticle(server.dir, file, articleText(section.name, title));
        pending.set(title, { slug: section.slug, title, file, writtenAt: performance.now() });
        // A fixed schedule: a slow write shortens the next gap instead of drifting.
        await sleep(Math.max(0, start + (i + 1) * options.spacingMs - performance.now()));
      }
    } finally {
      writing = false;
    }
  })();

  const etags = new Map<string, string>();
  const deadline = performance.now() + options.count * options.spacingMs + options.timeoutMs + 10_000;
  while ((writing || pending.size > 0) && performance.now() < deadline) {
    const tick = performance.now();
    const slugs = [...new Set([...pending.values()].map((p) => p.slug))];
    await Promise.all(
      slugs.map(async (slug) => {
        const etag = etags.get(slug);
        const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(etag ? { 'if-none-match': etag } : {}) };
        const answer = await httpGet(`${server.base}/${slug}/rss.xml`, headers).catch(() => undefined);
        if (answer?.status !== 200) return;
        const seenAt = performance.now();
        if (typeof answer.headers.etag === 'string') etags.set(slug, answer.headers.etag);
        const body = answer.body.toString();
        for (const item of pending.values()) {
          if (item.slug === slug && body.includes(item.title)) {
            latencies.push(seenAt - item.writtenAt);
            pending.delete(item.title);
          }
        }
      }),
    );
    for (const item of pending.values()) {
      if (performance.now() - item.writtenAt > options.timeoutMs) {
        lostFiles.push(item.file);
        pending.delete(item.title);
      }
    }
    if (latencies.length >= logged + 50) {
      logged = latencies.length - (latencies.length % 50);
      progress(`latency ${size}: ${latencies.length}/${options.count} seen`);
    }
    await sleep(Math.max(0, options.pollMs - (performance.now() - tick)));
  }
  await writer;
  lostFiles.push(...[...pending.values()].map((item) => item.file));
  const output = server.output();
  const lostButLogged = lostFiles.filter((file) => output.includes(`published ${file}`)).length;
  const lost = lostFiles.length;
  progress(`latency ${size}: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, lost ${lost}`);
  if (lost > 0) progress(`latency ${size}: not seen within ${options.timeoutMs} ms: ${lostFiles.join(', ')} (${lostButLogged} of them logged as published)`);
  return { size, latencies, lost, lostButLogged };
}

/** Removes the files the bench wrote into a corpus. */
export async function removeBenchFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith(BENCH_PREFIX)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

export function reportLatency(results: LatencyResult[], options: LatencyOptions): { markdown: string; goals: Goal[] } {
  const limit = options.settleMs + 100;
  const goals: Goal[] = [];
  const rows = results.map(({ size, latencies, lost, lostButLogged }) => {
    // A lost file counts as slower than the timeout, so it pushes the percentiles up instead of vanishing.
    const all = [...latencies, ...Array.from({ length: lost }, () => Infinity)];
    const show = (p: number) => {
      const value = percentile(all, p);
      return Number.isFinite(value) ? fmt(value) : `> ${fmt(options.timeoutMs)}`;
    };
    const p99 = percentile(all, 99);
    const met = p99 <= limit;
    goals.push({ name: `Update latency ${fmt(size)}: p99`, target: `≤ ${limit} ms`, measured: `${show(99)} ms${lost > 0 ? ` (${lost} lost)` : ''}`, met });
    return [
      fmt(size),
      `${latencies.length}/${options.count}`,
      show(50),
      show(95),
      `**${show(99)}**`,
      latencies.length > 0 ? fmt(Math.max(...latencies)) : 'n/a',
      lost === 0 ? '0' : `${lost} (${lostButLogged} logged as published)`,
      `≤ ${limit} ms ${met ? 'met' : 'NOT met'}`,
    ];
  });
  const markdown = [
    '## 3. Update latency',
    '',
    `${machineNote('1 run per size')}; percentiles over the ${options.count} updates of that run.`,
    '',
    markdownTable(['Articles', 'seen', 'p50 ms', 'p95 ms', 'p99 ms', 'max seen ms', 'lost', 'goal (p99)'], rows),
    '',
    `The server is the last cold-start server of each size (\`tsx src/node/main.ts\`, SETTLE_MS=${options.settleMs}, the default), ` +
      `already watching. ${options.count} new articles, one every ${options.spacingMs} ms round-robin over the sections, each written ` +
      'complete with one writeFile to a dot-named temp file in the same folder (the watcher ignores dotfiles) and renamed into place; ' +
      'the clock starts when the rename resolves. The section\'s RSS feed is polled every ' +
      `${options.pollMs} ms with If-None-Match of its last ETag until the title appears (so the figures include up to ${options.pollMs} ms of ` +
      `polling granularity). A file not seen within ${fmt(options.timeoutMs)} ms counts as lost (and as slower than that in the percentiles); ` +
      '"logged as published" says whether the server\'s log has a `published <file>` line for it anyway.',
  ].join('\n');
  return { markdown, goals };
}
