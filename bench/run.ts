// `npm run bench`: runs the four benchmarks and writes BENCHMARKS.md (with --quick: prints only).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportColdStart, runColdStart, type ColdStartResult } from './cold-start.ts';
import { reportIncremental, runIncremental, type IncrementalResult } from './incremental.ts';
import { removeBenchFiles, reportLatency, runLatency, type LatencyResult } from './latency.ts';
import { ROOT, progress, stopAllChildren, type Goal, type Section } from './lib.ts';
import { runThroughput } from './throughput.ts';

const USAGE = `Usage: npm run bench -- [options]

  --quick            10,000 articles only, shorter runs; prints the report instead of writing BENCHMARKS.md
  --only LIST        comma-separated subset of: throughput,cold,latency,incremental (latency needs cold)
  --out FILE         where to write the report (default BENCHMARKS.md; with --quick, stdout)
  --sizes LIST       corpus sizes for cold start, latency and incremental (default 10000,100000)
  --rounds N         throughput rounds (default 3; quick 2)
  --duration S       seconds per throughput run (default 10; quick 5)
  --connections N    autocannon connections (default 20)
  --cold-runs N      cold starts per size (default 3 at 10,000, 1 above; quick 2)
  --help             this text
`;

const BENCHES = ['throughput', 'cold', 'latency', 'incremental'] as const;
const SETTLE_MS = 300;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      sizes: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'cold-runs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = values.quick;
  const only = new Set(values.only ? values.only.split(',') : BENCHES);
  for (const name of only) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`--only: unknown benchmark "${name}"`);
  const sizes = (values.sizes ?? (quick ? '10000' : '10000,100000')).split(',').map(Number);
  const int = (raw: string | undefined, fallback: number) => (raw === undefined ? fallback : Number(raw));
  const throughputOptions = {
    rounds: int(values.rounds, quick ? 2 : 3),
    durationSec: int(values.duration, quick ? 5 : 10),
    warmupSec: quick ? 2 : 3,
    connections: int(values.connections, 20),
  };
  // One run at 100,000 (about 2.5 minutes each) keeps the default run near 10 minutes.
  const coldRuns = (size: number) => int(values['cold-runs'], quick ? 2 : size <= 10_000 ? 3 : 1);
  const latencyOptions = { count: 200, spacingMs: 75, pollMs: 10, settleMs: SETTLE_MS, timeoutMs: 120_000 };
  const incrementalOptions = { count: 50, warmup: 5 };
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const began = performance.now();

  const sections: Section[] = [];
  if (only.has('throughput')) sections.push(await runThroughput(throughputOptions));

  const cold: ColdStartResult[] = [];
  const latency: LatencyResult[] = [];
  if (only.has('cold') || only.has('latency')) {
    for (const size of sizes) {
      const { result, server } = await runColdStart(size, coldRuns(size), only.has('latency'));
      cold.push(result);
      if (!server) continue;
      try {
        latency.push(await runLatency(server, size, latencyOptions));
      } finally {
        await server.stop();
        await removeBenchFiles(server.dir);
      }
    }
  }
  if (only.has('cold')) sections.push(reportColdStart(cold));
  if (only.has('latency')) sections.push(reportLatency(latency, latencyOptions));

  if (only.has('incremental')) {
    const results: IncrementalResult[] = [];
    for (const size of sizes) results.push(await runIncremental(size, incrementalOptions));
    sections.push(reportIncremental(results, incrementalOptions));
  }

  const minutes = (performance.now() - began) / 60_000;
  const report = render(sections, command, minutes);
  const out = values.out ?? (quick ? undefined : 'BENCHMARKS.md');
  if (out === undefined || out === '-') {
    process.stdout.write(report);
  } else {
    await writeFile(resolve(ROOT, out), report);
    progress(`wrote ${out}`);
  }
  progress(`done in ${minutes.toFixed(1)} min`);
}

function render(sections: Section[], command: string, minutes: number): string {
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
      '`/work/shared/tools/gen-articles` (override with GEN_ARTICLES) into `/dev/shm/wirefeed-bench-N` and reused.',
    '',
    '## Goals',
    '',
    ...goals.map((goal) => `- ${goal.met ? 'Met' : '**Not met**'}: ${goal.name} ${goal.target}; measured ${goal.measured}.`),
    '',
    ...sections.flatMap((section) => [section.markdown, '']),
  ].join('\n');
}

process.once('SIGINT', () => {
  progress('interrupted: stopping child processes');
  stopAllChildren();
  process.exit(130);
});
process.once('exit', stopAllChildren);

main().catch((error: unknown) => {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  stopAllChildren();
  process.exit(1);
});
