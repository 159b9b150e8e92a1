// Load while changing: a real wirefeed process over a few hundred articles serves 20 keep-alive
// readers (every feed format, sections, combined, paged, conditional, gzip and br) while a
// writer creates, edits and deletes articles. No 5xx, no malformed answer, nothing lost, and
// the server's resident memory (read from /proc, the server alone) stays flat.
import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { SOAK, recordFigures, size } from './figures.ts';
import { runReaders, type ReadTarget, type ReaderStats } from './load-readers.ts';
import { startServerProcess, type ServerProcess } from './load-server.ts';
import { LOAD_SECTIONS, runWriter, writeBaseArticles, type WriterCounts } from './load-writer.ts';

// Issue 10 asks for RSS after 10 minutes of this test within 1.2x of its value after warm-up.
const DURATION_S = Number(process.env.LOAD_SECONDS) || size(10, 600);
const WARM_UP_S = size(3, 30);
const PER_SECTION = 60;
const CONNECTIONS = 20;
/** End RSS may be at most this many times the RSS after warm-up (issue 10: 1.2 over the long run). */
const MAX_GROWTH = SOAK ? 1.2 : 1.5;

/** Every feed in every format, combined and per section, first and later pages; a few pages and /status. */
function readTargets(): ReadTarget[] {
  const targets: ReadTarget[] = [];
  for (const scope of ['', ...LOAD_SECTIONS.map((name) => `${name.toLowerCase()}/`)]) {
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      targets.push({ path: `/${scope}${file}`, kind: 'feed', limit: 50 });
      targets.push({ path: `/${scope}${file}?page=2`, kind: 'feed', limit: 50 });
      targets.push({ path: `/${scope}${file}?limit=10`, kind: 'feed', limit: 10 });
      targets.push({ path: `/${scope}${file}?page=3&limit=20`, kind: 'feed', limit: 20 });
    }
  }
  targets.push({ path: '/', kind: 'html' }, { path: '/politics/', kind: 'html' }, { path: '/sports/base-1', kind: 'html' }, { path: '/status', kind: 'json' });
  return targets;
}

const MiB = (kb: number | undefined) => (kb === undefined ? 'n/a' : Math.round(kb / 102.4) / 10);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

describe('wirefeed under load while articles change', () => {
  let temp: TempDir | undefined;
  let server: ServerProcess | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;

  afterAll(async () => {
    clearInterval(sampler);
    await server?.stop();
    await temp?.remove();
  });

  it(`serves ${CONNECTIONS} readers for ${DURATION_S} s while a writer changes the folder: no 5xx, nothing malformed, memory flat`, async () => {
    const started = performance.now();
    temp = await makeTempDir('wirefeed-load-');
    const basePaths = await writeBaseArticles(temp, PER_SECTION);
    server = await startServerProcess({ ARTICLES_DIR: temp.dir, SETTLE_MS: '100', SITE_TITLE: 'Load' });
    const running = server;
    const rss = { start: await running.rssKb(), warm: undefined as number | undefined, end: undefined as number | undefined, max: 0 };
    /** RSS once a second from the end of warm-up on, to show the curve (a leak climbs; a heap settling flattens). */
    const series: number[] = [];
    sampler = setInterval(() => {
      void running.rssKb().then((kb) => {
        if (kb === undefined) return;
        rss.max = Math.max(rss.max, kb);
        if (rss.warm !== undefined) series.push(kb);
      });
    }, 1000);

    // Warm-up is the same work as the run (readers and writer), so its RSS is the steady state's.
    const targets = readTargets();
    const warmUntil = performance.now() + WARM_UP_S * 1000;
    const [warm, warmWrites] = await Promise.all([
      runReaders(running.port, targets, warmUntil, { connections: CONNECTIONS, seed: 1 }),
      runWriter(temp.dir, basePaths, warmUntil, { seed: 1, prefix: 'warm' }),
    ]);
    rss.warm = await running.rssKb();
    const until = performance.now() + DURATION_S * 1000;
    const loadStarted = performance.now();
    const [load, writes]: [ReaderStats, WriterCounts] = await Promise.all([
      runReaders(running.port, targets, until, { connections: CONNECTIONS, seed: 2 }),
      runWriter(temp.dir, basePaths, until, { seed: 2 }),
    ]);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    rss.end = await running.rssKb();
    clearInterval(sampler);
    rss.max = Math.max(rss.max, rss.start ?? 0, rss.warm ?? 0, rss.end ?? 0);
    const curve = [0, 0.25, 0.5, 0.75].map((at) => series[Math.floor(at * series.length)]).concat(rss.end);

    // Nothing lost: once the writer stops, the server settles on exactly the files on disk.
    const expectedArticles = basePaths.length + warmWrites.live + writes.live;
    let lastStatus: { articles: number; rejected: unknown[]; scheduled: number } | undefined;
    const settled = await waitFor(
      async () => (lastStatus = (await (await fetch(`${running.baseUrl}/status`)).json()) as typeof lastStatus)!.articles === expectedArticles,
      { timeoutMs: 15_000, what: `/status to count ${expectedArticles} articles` },
    ).catch(async (error: Error) => {
      // Which articles differ: served (every item of the combined JSON Feed) against the files.
      const feed = (await (await fetch(`${running.baseUrl}/feed.json?limit=500`)).json()) as { items: { url: string }[] };
      const served = new Set(feed.items.map((item) => new URL(item.url).pathname.split('/').pop()!));
      const onDisk = new Set((await readdir(temp!.dir, { recursive: true })).filter((name) => /\.(txt|md)$/.test(name)).map((name) => name.split('/').pop()!.replace(/\.(txt|md)$/, '')));
      const extra = [...served].filter((slug) => !onDisk.has(slug));
      const missing = [...onDisk].filter((slug) => !served.has(slug));
      const told = running.stdout.filter((line) => extra.some((slug) => line.includes(`/${slug}.`)));
      return new Error(`${error.message}; served but not on disk: ${extra.join(', ')}; on disk, not served: ${missing.join(', ')}; the server's lines about them: ${told.join(' | ')}; last /status: ${JSON.stringify(lastStatus).slice(0, 300)}`);
    });

    const statuses = [...load.byStatus].sort().map(([status, n]) => `${status}: ${n}`).join(', ');
    await recordFigures('load', {
      title: 'Load while articles change',
      command: `${SOAK ? 'SOAK=1 ' : ''}npx vitest run --project node tests/reliability/load.test.ts`,
      rows: {
        'duration under load (s)': Math.round(loadSeconds * 10) / 10,
        'warm-up, same load (s)': WARM_UP_S,
        'reader connections': CONNECTIONS,
        'URLs in the mix': targets.length,
        'articles at start': basePaths.length,
        'requests (under load)': load.requests,
        'requests per second': Math.round(load.requests / loadSeconds),
        'answers by status': statuses,
        'conditional requests': load.conditional,
        'compressed answers (gzip/br)': load.compressed,
        'malformed answers': load.malformed + warm.malformed,
        '5xx answers': load.serverErrors + warm.serverErrors,
        'transport errors (resets, timeouts)': load.transportErrors + warm.transportErrors,
        'latency p50 / p99 (ms)': `${percentile(load.latenciesMs, 50)} / ${percentile(load.latenciesMs, 99)}`,
        'articles created / edited / deleted (under load)': `${writes.creates} / ${writes.edits} / ${writes.deletes}`,
        'articles created / edited / deleted (warm-up)': `${warmWrites.creates} / ${warmWrites.edits} / ${warmWrites.deletes}`,
        'articles at end (served = on disk)': `${expectedArticles} (${settled instanceof Error ? 'NOT settled' : `settled in ${Math.round(settled.ms)} ms`})`,
        'server RSS start / after warm-up / end / max (MiB)': `${MiB(rss.start)} / ${MiB(rss.warm)} / ${MiB(rss.end)} / ${MiB(rss.max)}`,
        'end RSS / warm-up RSS': rss.warm && rss.end ? Math.round((rss.end / rss.warm) * 100) / 100 : 'n/a',
        'RSS at 0 / 25 / 50 / 75 / 100 % of the run (MiB)': curve.map(MiB).join(' / '),
        'RSS samples (1 per second)': series.length,
        'errors the server logged': running.appErrors(),
        'total test time (s)': Math.round((performance.now() - started) / 100) / 10,
      },
      note:
        `A wirefeed process (node src/node/main.ts, measured alone through /proc/PID/status) over ${basePaths.length} articles in ` +
        `${LOAD_SECTIONS.length} sections serves ${CONNECTIONS} keep-alive readers asking for every feed format, combined and per section, ` +
        'paged, with If-None-Match/If-Modified-Since and gzip/br, while a writer creates, edits and deletes articles every 25 ms. ' +
        'Every answer is checked whole (Content-Length, decoding, saxes for XML, JSON.parse plus JSON Feed fields). Passing means ' +
        `no 5xx, nothing malformed, the served count equal to the files on disk afterwards, and end RSS within ${MAX_GROWTH}x of the RSS ` +
        `after ${WARM_UP_S} s of warm-up under the same load.`,
    });

    expect(running.exit(), 'the server process died').toBeUndefined();
    expect([...warm.examples, ...load.examples]).toEqual([]);
    expect(load.serverErrors + warm.serverErrors).toBe(0);
    expect(load.malformed + warm.malformed).toBe(0);
    expect(load.transportErrors + warm.transportErrors).toBe(0);
    // The load really happened, even on a busy machine.
    expect(load.requests).toBeGreaterThan(DURATION_S * 5);
    expect(writes.creates + writes.edits + writes.deletes).toBeGreaterThan(DURATION_S * 3);
    expect(settled instanceof Error ? settled.message : 'settled').toBe('settled');
    expect(rss.end! / rss.warm!, `RSS grew from ${MiB(rss.warm)} to ${MiB(rss.end)} MiB`).toBeLessThanOrEqual(MAX_GROWTH);
  }, (WARM_UP_S + DURATION_S + 90) * 1000);
});
