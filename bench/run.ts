// `npm run bench`: runs the benchmarks and writes BENCHMARKS.md (with --quick: prints only).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportBulk, runBulk, type BulkResult } from './bulk.ts';
import { reportBurst, runBurst, type BurstResult } from './burst.ts';
import { caseName, reportColdStart, runColdStart, stateDirOf, type CaseSpec, type ColdResult } from './cold-start.ts';
import { LAYOUTS, corpusDir, memoryShortfall, removeBenchFiles, type Layout } from './corpus.ts';
import { reportIncremental, runIncremental, type IncrementalResult } from './incremental.ts';
import { ROOT, loadAverage, machineNote, progress, stopAllChildren, type Goal, type Section } from './lib.ts';
import { runStartup } from './startup.ts';
import { runThroughput } from './throughput.ts';
import { reportArticlePages, runArticlePages, type PagesResult } from './pages.ts';
import { runWorkerBench } from './worker.ts';
import { runPublishBench } from './publish.ts';
import { runD1Bench } from './d1.ts';

const USAGE = `Usage: npm run bench -- [options]

  --quick            10,000 articles only (both layouts), 1 cold run, 100 burst files, shorter throughput
                     runs; prints the report instead of writing BENCHMARKS.md
  --only LIST        comma-separated subset of: throughput,cold,pages,burst,bulk,incremental,worker,startup,publish,d1 (latency = burst);
                     burst and bulk run on the restarted server of the cold-start bench, which runs for them
  --out FILE         where to write the report (default BENCHMARKS.md; with --quick, stdout)
  --sizes LIST       corpus sizes for cold start, restart, burst, bulk and incremental (default 10000,100000)
  --layouts LIST     corpus layouts for cold start, restart, burst and bulk: flat,by-section (default both)
  --million          also run 1,000,000 articles, flat (figures only, no goals; skipped with a "not run"
                     row unless the corpus and the server's projected RSS fit in 80% of available memory)
  --watcher ENGINE   pass WATCHER=auto|native|chokidar to the server (default: the server's default)
  --rounds N         throughput rounds (default 3; quick 2)
  --duration S       seconds per throughput run (default 10; quick 5)
  --connections N    autocannon connections (default 20)
  --cold-runs N      cold start + restart runs per size and layout (default 3 at 10,000, 1 above; quick 1)
  --burst-files N    files in the burst (default 200; quick 100)
  --bulk-files N     files in the bulk arrival (default 5000)
  --page-count N     article pages asked from a cold cache per case (default 500; quick 100)
  --worker-articles N  articles in the one section of the worker bench (default 500)
  --worker-rounds N  timed publish-then-request rounds per server in the worker bench (default 30; quick 10)
  --startup-rounds N start-up bench: rounds of each way, tsx and built (default 10; quick 5)
  --d1-rows N       articles loaded into local D1 for the d1 bench (default 1000000; quick 100000)
  --d1-requests N   timed requests per route in the d1 bench (default 300; quick 100)
  --load-wait-min M  worker bench: wait at most M minutes for the 1-minute load to drop to 1.5 (default 10)
  --help             this text
`;

const BENCHES = ['throughput', 'cold', 'pages', 'burst', 'bulk', 'incremental', 'worker', 'startup', 'publish', 'd1'] as const;
const SETTLE_MS = 300;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      sizes: { type: 'string' },
      layouts: { type: 'string' },
      million: { type: 'boolean', default: false },
      watcher: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'cold-runs': { type: 'string' },
      'burst-files': { type: 'string' },
      'bulk-files': { type: 'string' },
      'page-count': { type: 'string' },
      'worker-articles': { type: 'string' },
      'd1-rows': { type: 'string' },
      'd1-requests': { type: 'string' },
      'worker-rounds': { type: 'string' },
      'load-wait-min': { type: 'string' },
      'startup-rounds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = values.quick;
  const only = new Set((values.only ? values.only.split(',') : BENCHES).map((name) => (name === 'latency' ? 'burst' : name)));
  for (const name of only) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`--only: unknown benchmark "${name}"`);
  const sizes = (values.sizes ?? (quick ? '10000' : '10000,100000')).split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes: "${values.sizes}" is not a list of positive integers`);
  const layouts = (values.layouts ?? LAYOUTS.join(',')).split(',') as Layout[];
  for (const layout of layouts) if (!LAYOUTS.includes(layout)) throw new Error(`--layouts: unknown layout "${layout}" (flat, by-section)`);
  if (values.watcher !== undefined && !['auto', 'native', 'chokidar'].includes(values.watcher)) throw new Error(`--watcher: "${values.watcher}" is not auto, native or chokidar`);
  const serverEnv: Record<string, string> = values.watcher === undefined ? {} : { WATCHER: values.watcher };
  const int = (raw: string | undefined, fallback: number) => (raw === undefined ? fallback : Number(raw));
  const throughputOptions = {
    rounds: int(values.rounds, quick ? 2 : 3),
    durationSec: int(values.duration, quick ? 5 : 10),
    warmupSec: quick ? 2 : 3,
    connections: int(values.connections, 20),
  };
  const coldRuns = (size: number) => int(values['cold-runs'], quick ? 1 : size <= 10_000 ? 3 : 1);
  const burstOptions = { count: int(values['burst-files'], quick ? 100 : 200), spacingMs: 75, pollMs: 10, settleMs: SETTLE_MS, timeoutMs: 120_000 };
  const pagesOptions = { count: int(values['page-count'], quick ? 100 : 500) };
  const bulkOptions = { count: int(values['bulk-files'], 5000), pollMs: 50, timeoutMs: 300_000 };
  const incrementalOptions = { count: 50, warmup: 5 };
  const workerOptions = { articles: int(values['worker-articles'], 500), rounds: int(values['worker-rounds'], quick ? 10 : 30), warmup: 3, loadWaitMs: int(values['load-wait-min'], 10) * 60_000 };
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const began = performance.now();
  const loadBefore = loadAverage();
  progress(`load average (1/5/15 min) before: ${loadBefore}`);

  const sections: Section[] = [];
  if (only.has('throughput')) sections.push(await runThroughput(throughputOptions));

  const cases: CaseSpec[] = sizes.flatMap((size) => layouts.map((layout) => ({ size, layout, goals: true })));
  if (values.million) cases.push({ size: 1_000_000, layout: 'flat', goals: false });
  const cold: ColdResult[] = [];
  const burst: BurstResult[] = [];
  const bulk: BulkResult[] = [];
  const pages: PagesResult[] = [];
  if (only.has('cold') || only.has('pages') || only.has('burst') || only.has('bulk')) {
    for (const spec of cases) {
      const fail = (text: string) => {
        progress(`${caseName(spec)}: ${text}`);
        // The note goes into table cells.
        const note = text.replaceAll('|', '\\|');
        if (!cold.some((r) => r.spec === spec)) cold.push({ spec, runs: [], engine: '', note });
        if (only.has('burst') && !burst.some((r) => r.spec === spec)) burst.push({ spec, latencies: [], lost: 0, lostButLogged: 0, cpuPerFileMs: NaN, hwmKb: NaN, note });
        if (only.has('pages') && !pages.some((r) => r.spec === spec)) pages.push({ spec, latencies: [], hwmKb: NaN, note });
        if (only.has('bulk') && !bulk.some((r) => r.spec === spec)) bulk.push({ spec, published: 0, rejected: 0, copyMs: NaN, lastVisibleMs: NaN, cpuMs: NaN, hwmKb: NaN, note });
      };
      const shortfall = spec.goals ? undefined : memoryShortfall(spec.size, spec.layout);
      if (shortfall !== undefined) {
        fail(`not run: ${shortfall}`);
        continue;
      }
      const keep = only.has('pages') || only.has('burst') || only.has('bulk');
      try {
        const { result, server } = await runColdStart(spec, coldRuns(spec.size), keep, serverEnv);
        cold.push(result);
        if (!server) continue;
        try {
          // First, while nothing but the probe's change has been read since the restart.
          if (only.has('pages')) pages.push(await runArticlePages(server, spec, pagesOptions));
          if (only.has('burst')) burst.push(await runBurst(server, spec, burstOptions));
          if (only.has('bulk')) bulk.push(await runBulk(server, spec, bulkOptions));
        } finally {
          await server.stop();
        }
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        progress(`${caseName(spec)}: ${message}`);
        fail(`failed: ${message.split('\n')[0]!.replace(/^Error: /, '')}`);
        stopAllChildren();
      } finally {
        await removeBenchFiles(corpusDir(spec.size, spec.layout)).catch(() => undefined);
        await rm(stateDirOf(spec), { recursive: true, force: true });
      }
    }
  }
  if (only.has('cold')) sections.push(reportColdStart(cold));
  if (only.has('pages')) sections.push(reportArticlePages(pages, pagesOptions));
  if (only.has('burst')) sections.push(reportBurst(burst, burstOptions));
  if (only.has('bulk')) sections.push(reportBulk(bulk, bulkOptions));

  if (only.has('incremental')) {
    const results: IncrementalResult[] = [];
    for (const size of [...sizes, ...(values.million ? [1_000_000] : [])]) results.push(await runIncremental(size, incrementalOptions));
    sections.push(reportIncremental(results, incrementalOptions));
  }

  if (only.has('worker')) sections.push(await runWorkerBench(workerOptions));
  // `wirefeed publish` into the Worker, at the --sizes (default 10,000 and 100,000).
  if (only.has('publish')) sections.push(await runPublishBench(sizes));
  if (only.has('d1')) sections.push(await runD1Bench({ rows: int(values['d1-rows'], quick ? 100_000 : 1_000_000), requests: int(values['d1-requests'], quick ? 100 : 300) }));
  if (only.has('startup')) sections.push(await runStartup({ rounds: int(values['startup-rounds'], quick ? 5 : 10) }));

  const minutes = (performance.now() - began) / 60_000;
  const loadAfter = loadAverage();
  progress(`load average (1/5/15 min) after: ${loadAfter}`);
  // What the profiles found behind goals not met: written by hand, carried into every report.
  const causes = await readFile(resolve(ROOT, 'bench', 'causes.md'), 'utf8').catch(() => undefined);
  const report = render(sections, command, minutes, { before: loadBefore, after: loadAfter }, causes);
  const out = values.out ?? (quick ? undefined : 'BENCHMARKS.md');
  if (out === undefined || out === '-') {
    process.stdout.write(report);
  } else {
    await writeFile(resolve(ROOT, out), report);
    progress(`wrote ${out}`);
  }
  progress(`done in ${minutes.toFixed(1)} min`);
}

function render(sections: Section[], command: string, minutes: number, load: { before: string; after: string }, causes?: string): string {
  const goals: Goal[] = sections.flatMap((section) => section.goals);
  return [
    '# Benchmarks',
    '',
    'Written by `bench/run.ts`. Speed targets live here, never in timed tests. Every figure is a median (or a percentile) of ' +
      'repeated runs on a shared, noisy 2-core machine, and every goal is a ratio to a baseline measured in the same run ' +
      'or a budget stated up front; compare ratios between runs, not absolute numbers.',
    '',
    '## Reproduce',
    '',
    '```sh',
    command,
    '```',
    '',
    `This run took ${minutes.toFixed(1)} minutes. \`npm run bench -- --quick\` runs 10,000 articles only with shorter runs and prints ` +
      'the report instead of writing this file; `npm run bench -- --help` lists the other flags. Corpora are generated with ' +
      '`/work/shared/tools/gen-articles` (override with GEN_ARTICLES) into `/dev/shm/wirefeed-bench-N` (flat) and ' +
      '`/dev/shm/wirefeed-bench-N-by-section` (`--by-section`) and reused; the servers keep their state in ' +
      '`/dev/shm/wirefeed-bench-state-N-<layout>`, deleted before each cold start and after each row.',
    '',
    `${machineNote('the runs each section names')}. Load average (1 / 5 / 15 min) before the run: ${load.before}; after: ${load.after}.`,
    '',
    '## Goals',
    '',
    ...goals.map((goal) => `- ${goal.met ? 'Met' : '**Not met**'}: ${goal.name} ${goal.target}; measured ${goal.measured}.`),
    '',
    ...(causes ? ['### Why the goals not met are not met', '', causes.trim(), ''] : []),
    ...sections.flatMap((section) => [section.markdown, '']),
  ].join('\n');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping child processes`);
    stopAllChildren();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
process.once('exit', stopAllChildren);

main().catch((error: unknown) => {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  stopAllChildren();
  process.exit(1);
});
