// The first request for a section feed after a publish, on the Worker and on Node: `npm run
// dev:worker` (wrangler dev: workerd over a local D1 in a temporary persist folder) and `node
// --import tsx src/node/main.ts`, each given the same generated articles in one section through
// the publish API (`wirefeed publish`'s syncFolder), then, round after round, one new article
// PUT and the section's rss.xml, atom.xml and feed.json asked for once each, timed over loopback.
// The servers run one after the other, never together.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { syncFolder } from '../src/node/publish/sync-folder.ts';
import {
  GEN_ARTICLES,
  captureOutput,
  fmt,
  freePort,
  httpGet,
  loadAverage,
  machineNote,
  markdownTable,
  percentile,
  progress,
  sleep,
  spawnGroup,
  stopGroup,
  waitFor200,
  type Goal,
  type Section,
} from './lib.ts';

const GOAL_MS = 5;
const TOKEN = 'bench-token-0123456789abcdef';
const FEEDS = ['rss.xml', 'atom.xml', 'feed.json'] as const;
/** Wait while the 1-minute load is above this, a minute at a time (WorkerBenchOptions.loadWaitMs at most). */
const QUIET_LOAD = 1.5;

export interface WorkerBenchOptions {
  /** Generated articles published into the one section before the rounds. */
  articles: number;
  /** Timed rounds: one new article, then each feed once. */
  rounds: number;
  /** Rounds before those, untimed (the first renders every item on Node, and warms both). */
  warmup: number;
  /** How long to wait at most for the 1-minute load to drop to QUIET_LOAD before each server's rounds (default 10 min). */
  loadWaitMs?: number;
}

type ServerName = 'worker' | 'node';

interface ServerResult {
  server: ServerName;
  /** /proc/loadavg's 1/5/15-minute figures when the timed rounds began. */
  load: string;
  /** Whether the 1-minute load was at most QUIET_LOAD then (else the wait gave up). */
  quiet: boolean;
  /** Publishing the generated articles, until all were listed (ms). */
  setupMs: number;
  /** Per feed (FEEDS order): wall ms of the first GET after each new article. */
  first: number[][];
  /** Wall ms of a second GET of rss.xml right after the first (the document kept). */
  repeat: number[];
  /** Wall ms of GET /robots.txt (no store, no document): what any request costs on this server. */
  trivial: number[];
  /** Wall ms of each PUT of a new article. */
  put: number[];
  /** Bytes of the last rss.xml. */
  rssBytes: number;
  note?: string;
}

interface Running {
  base: string;
  stop(): Promise<void>;
  output(): string;
}

/** Starts `npm run dev:worker` on a free port over the local D1 in `persist`; `token` '' leaves the publish API off. */
export async function startWorker(persist: string, token = TOKEN): Promise<Running> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnGroup('npm', ['run', 'dev:worker', '--', '--persist-to', persist], { ...process.env, PORT: String(port), PUBLISH_TOKEN: token });
  const output = captureOutput(child);
  const stop = () => stopGroup(child, 5000);
  try {
    await waitFor200(`${base}/readyz`, { intervalMs: 100, timeoutMs: 120_000, alive: () => child.exitCode === null });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output.text().slice(-3000)}`);
  }
  return { base, stop, output: output.text };
}

/** Starts the Node server over the empty folder `dir`, its publish API on. */
async function startNode(dir: string): Promise<Running> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnGroup(process.execPath, ['--import', 'tsx', 'src/node/main.ts'], {
    ...process.env,
    ARTICLES_DIR: dir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLISH_TOKEN: TOKEN,
  });
  const output = captureOutput(child);
  const stop = () => stopGroup(child, 5000);
  try {
    await waitFor200(`${base}/readyz`, { intervalMs: 50, timeoutMs: 120_000, alive: () => child.exitCode === null });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output.text().slice(-3000)}`);
  }
  return { base, stop, output: output.text };
}

/** Articles the server lists (/status), polled until there are `count`; returns the section slugs. */
async function waitForArticles(base: string, count: number, timeoutMs: number): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await httpGet(`${base}/status`, { accept: 'application/json' }, 30_000);
    const status = JSON.parse(answer.body.toString()) as { articles: number; sections: { slug: string }[] };
    if (status.articles === count) return status.sections.map((section) => section.slug);
    if (performance.now() > deadline) throw new Error(`${base} lists ${status.articles} articles, not ${count}, after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * Prints /proc/loadavg and waits, a minute at a time, while the 1-minute load is above
 * QUIET_LOAD (the machine is shared), for at most `maxWaitMs`.
 */
async function waitForQuietMachine(label: string, maxWaitMs: number): Promise<{ load: string; quiet: boolean }> {
  const started = performance.now();
  for (;;) {
    const loadavg = readFileSync('/proc/loadavg', 'utf8').trim();
    progress(`worker bench, ${label}: /proc/loadavg ${loadavg}`);
    const one = Number(loadavg.split(' ')[0]);
    if (one <= QUIET_LOAD) return { load: loadAverage(), quiet: true };
    if (performance.now() - started >= maxWaitMs) {
      progress(`worker bench, ${label}: still above ${QUIET_LOAD} after ${fmt(maxWaitMs / 60_000, 1)} min; measuring anyway`);
      return { load: loadAverage(), quiet: false };
    }
    progress(`worker bench, ${label}: 1-minute load ${one} > ${QUIET_LOAD}, waiting 60 s`);
    await sleep(60_000);
  }
}

/** PUTs one article file through the publish API; returns the wall ms. */
async function put(base: string, path: string, text: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/api/articles/${path}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${TOKEN}`, 'X-Wirefeed-Mtime': new Date().toISOString() },
    body: text,
  });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 201) throw new Error(`PUT ${path} answered ${response.status}: ${body}`);
  return ms;
}

/** One server: start it, publish the corpus, run the rounds, stop it. */
async function measureServer(server: ServerName, corpus: string, template: string, options: WorkerBenchOptions): Promise<ServerResult> {
  const scratch = await mkdtemp(join('/dev/shm', `wirefeed-bench-${server}-`));
  progress(`worker bench, ${server}: starting`);
  const running = server === 'worker' ? await startWorker(scratch) : await startNode(scratch);
  try {
    const setupStarted = performance.now();
    const summary = await syncFolder({ dir: corpus, to: running.base, token: TOKEN, concurrency: 8, log: () => {} });
    if (summary.uploaded !== options.articles || summary.failed > 0) throw new Error(`publishing the corpus: ${JSON.stringify(summary)}`);
    const [section] = await waitForArticles(running.base, options.articles, 300_000);
    const setupMs = performance.now() - setupStarted;
    progress(`worker bench, ${server}: ${fmt(options.articles)} articles published in ${fmt(setupMs)} ms, section "${section}"`);

    const { load, quiet } = await waitForQuietMachine(server, options.loadWaitMs ?? 10 * 60_000);
    const first: number[][] = FEEDS.map(() => []);
    const repeat: number[] = [];
    const trivial: number[] = [];
    const puts: number[] = [];
    let rssBytes = 0;
    for (let round = 0; round < options.warmup + options.rounds; round++) {
      const title = `Bench worker round ${round} of run ${process.pid}`;
      const lines = template.split('\n');
      lines[2] = title;
      const putMs = await put(running.base, `${section}/zz-bench-worker-${round}.txt`, lines.join('\n'));
      // Node publishes what lands in its folder once the watcher has seen it; the Worker at once.
      await waitForArticles(running.base, options.articles + round + 1, 30_000);
      const times: number[] = [];
      for (const feed of FEEDS) {
        const url = `${running.base}/${section}/${feed}`;
        const started = performance.now();
        const answer = await httpGet(url, { 'accept-encoding': 'identity' }, 30_000);
        times.push(performance.now() - started);
        if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}`);
        if (!answer.body.toString().includes(title)) throw new Error(`"${title}" is not in ${url} after the PUT`);
        if (feed === 'rss.xml') rssBytes = answer.body.byteLength;
      }
      const again = performance.now();
      await httpGet(`${running.base}/${section}/rss.xml`, { 'accept-encoding': 'identity' }, 30_000);
      const repeatMs = performance.now() - again;
      const bare = performance.now();
      await httpGet(`${running.base}/robots.txt`, {}, 30_000);
      const trivialMs = performance.now() - bare;
      if (round < options.warmup) continue;
      times.forEach((ms, k) => first[k]!.push(ms));
      repeat.push(repeatMs);
      trivial.push(trivialMs);
      puts.push(putMs);
    }
    progress(`worker bench, ${server}: rss.xml first GET median ${percentile(first[0]!, 50).toFixed(2)} ms`);
    return { server, load, quiet, setupMs, first, repeat, trivial, put: puts, rssBytes };
  } finally {
    await running.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs the bench on both servers and reports it. */
export async function runWorkerBench(options: WorkerBenchOptions): Promise<Section> {
  const corpusRoot = await mkdtemp(join('/dev/shm', 'wirefeed-bench-worker-corpus-'));
  const results: ServerResult[] = [];
  try {
    progress(`worker bench: generating ${fmt(options.articles)} articles in one section`);
    const args = ['--count', String(options.articles), '--sections', '1', '--by-section', '--out', corpusRoot, '--quiet'];
    await promisify(execFile)(process.execPath, [GEN_ARTICLES, ...args], { timeout: 600_000 });
    const [folder] = await readdir(corpusRoot);
    const [first] = (await readdir(join(corpusRoot, folder!))).sort();
    // New articles are generated ones with a title of their own: the same size and markup.
    const template = await readFile(join(corpusRoot, folder!, first!), 'utf8');
    for (const server of ['worker', 'node'] as const) {
      try {
        results.push(await measureServer(server, corpusRoot, template, options));
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        progress(`worker bench, ${server}: ${message}`);
        results.push({ server, load: loadAverage(), quiet: false, setupMs: NaN, first: FEEDS.map(() => []), repeat: [], trivial: [], put: [], rssBytes: 0, note: `failed: ${message.split('\n')[0]!.replace(/^Error: /, '').replaceAll('|', '\\|')}` });
      }
    }
  } finally {
    await rm(corpusRoot, { recursive: true, force: true });
  }
  return reportWorkerBench(results, options);
}

const LABELS: Record<ServerName, string> = {
  worker: 'Worker (`npm run dev:worker`: wrangler dev, workerd, local D1)',
  node: 'Node (`node --import tsx src/node/main.ts`)',
};

export function reportWorkerBench(results: ServerResult[], options: WorkerBenchOptions): Section {
  const ms = (values: number[], p: number) => (values.length === 0 ? 'n/a' : percentile(values, p).toFixed(2));
  const rows = results.flatMap((result) =>
    FEEDS.map((feed, k) => [
      k === 0 ? LABELS[result.server] : '',
      `/{section}/${feed}`,
      `**${ms(result.first[k]!, 50)}**`,
      ms(result.first[k]!, 95),
      k === 0 ? ms(result.repeat, 50) : '',
      k === 0 ? ms(result.trivial, 50) : '',
      k === 0 ? ms(result.put, 50) : '',
      k === 0 ? `${result.load}${result.quiet ? '' : ' (above 1.5 after waiting)'}` : '',
      k === 0 ? (result.note ?? `${fmt(result.setupMs / 1000, 1)} s`) : '',
    ]),
  );
  const worker = results.find((result) => result.server === 'worker');
  const node = results.find((result) => result.server === 'node');
  const medians = (result: ServerResult | undefined) => FEEDS.map((_, k) => (result && result.first[k]!.length > 0 ? percentile(result.first[k]!, 50) : NaN));
  const worst = Math.max(...medians(worker));
  const goals: Goal[] = [
    {
      name: `Worker: first request for a ${50}-item section feed after a publish (wrangler dev, local D1; ${fmt(options.articles)} articles in the section)`,
      target: `< ${GOAL_MS} ms per request (median of each of rss.xml, atom.xml, feed.json)`,
      measured: Number.isFinite(worst)
        ? `${FEEDS.map((feed, k) => `${feed} ${medians(worker)[k]!.toFixed(2)}`).join(', ')} ms; Node ${FEEDS.map((feed, k) => `${feed} ${medians(node)[k]!.toFixed(2)}`).join(', ')} ms`
        : (worker?.note ?? 'not run'),
      met: Number.isFinite(worst) && worst < GOAL_MS,
    },
  ];
  const markdown = [
    '## 6. Worker: the first feed request after a publish',
    '',
    `${machineNote(`${options.rounds} rounds per server (after ${options.warmup} untimed)`)}. Load average (1 / 5 / 15 min) when each server's timed rounds began is in the table; the bench waits (60 s at a time, at most ${fmt((options.loadWaitMs ?? 600_000) / 60_000, 1)} min) while the 1-minute load is above ${QUIET_LOAD}.`,
    '',
    markdownTable(
      ['server', 'feed', 'first GET median ms', 'first GET p95 ms', 'repeat GET median ms', '/robots.txt median ms', 'PUT median ms', 'load at start', 'publishing the corpus'],
      rows,
    ),
    '',
    `Goal: each Worker median < ${GOAL_MS} ms: ${goals[0]!.met ? 'met' : 'NOT met'}. RSS document: ${fmt((worker?.rssBytes ?? 0) / 1024)} KiB on the Worker, ${fmt((node?.rssBytes ?? 0) / 1024)} KiB on Node.`,
    '',
    `Each server in turn, alone: ${fmt(options.articles)} articles from \`gen-articles --sections 1 --by-section\` (one section, 400-900 words each) ` +
      'published through the publish API by `wirefeed publish`\'s syncFolder (8 uploads at a time), then per round: one new article ' +
      '(a generated one with a new title, dated now, so it enters the 50-item feed) PUT through the API; `/status` polled until it is ' +
      'listed (Node publishes when its watcher has seen the file; the Worker at once); then the section\'s rss.xml, atom.xml and ' +
      'feed.json asked for once each with `Accept-Encoding: identity` over a keep-alive loopback connection, timed from request to last byte, ' +
      'and the title checked in each; then rss.xml once more (the repeat column: the document kept), then /robots.txt (no store, no ' +
      'document: what any request costs on that server, the dev proxy\'s hops included on the Worker). On the Worker the publish API ' +
      'renders the article\'s items at PUT time and keeps them in D1, so a first request reads the listing and the new item\'s kept ' +
      'markup and assembles the document; the other items come from the isolate\'s cache (or D1\'s kept markup in a fresh isolate). ' +
      'wrangler dev runs the Worker locally: D1 is SQLite in the same machine, with none of the network between a Worker and D1 in production.',
  ].join('\n');
  return { markdown, goals };
}
