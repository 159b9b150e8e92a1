// `wirefeed publish` of a generated corpus into `npm run dev:worker` (wrangler dev: workerd over a
// fresh local D1): the first run (everything uploaded in bulk batches), then a second with nothing
// changed (the paged listing merged with the folder, by hash), each as its own `wirefeed publish`
// process, timed wall to wall, its peak RSS (VmHWM) sampled from /proc while it runs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureCorpus } from './corpus.ts';
import { captureOutput, fmt, loadAverage, machineNote, markdownTable, memoryOf, mib, progress, ROOT, sleep, spawnGroup, type Goal, type Section } from './lib.ts';
import { startWorker } from './worker.ts';

const TOKEN = 'bench-token-0123456789abcdef';
const FIRST_GOAL_MS = 3 * 60_000;
const AGAIN_GOAL_MS = 20_000;
const RSS_GOAL_KB = 300 * 1024;

interface RunFigures {
  ms: number;
  hwmKb: number;
  summary: string;
  code: number | null;
}

export interface PublishResult {
  size: number;
  first?: RunFigures;
  again?: RunFigures;
  load: string;
  note?: string;
}

/** One `wirefeed publish DIR --to BASE` as a child process: the built command, as the package runs it. */
async function publishOnce(dir: string, base: string): Promise<RunFigures> {
  const child = spawnGroup(process.execPath, [join(ROOT, 'bin', 'wirefeed.js'), 'publish', dir, '--to', base], { ...process.env, PUBLISH_TOKEN: TOKEN });
  const output = captureOutput(child);
  const began = performance.now();
  let hwmKb = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const memory = memoryOf(child.pid!);
    if (memory && Number.isFinite(memory.hwmKb)) hwmKb = Math.max(hwmKb, memory.hwmKb);
    await Promise.race([exited, sleep(100)]);
  }
  const ms = performance.now() - began;
  const code = await exited;
  const summary = /uploaded \d+, deleted \d+, unchanged \d+, failed \d+/.exec(output.text())?.[0] ?? output.text().slice(-300);
  return { ms, hwmKb, summary, code };
}

export async function runPublishBench(sizes: readonly number[]): Promise<Section> {
  progress('publish: npm run build');
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  const results: PublishResult[] = [];
  for (const size of sizes) {
    const dir = await ensureCorpus(size);
    const persist = await mkdtemp(join('/tmp', 'wirefeed-bench-d1-'));
    const result: PublishResult = { size, load: loadAverage() };
    results.push(result);
    const worker = await startWorker(persist).catch((error: unknown) => {
      result.note = `worker did not start: ${(error as Error).message.split('\n')[0]}`;
      return undefined;
    });
    if (!worker) continue;
    try {
      progress(`publish ${fmt(size)}: first run (load ${result.load})`);
      result.first = await publishOnce(dir, worker.base);
      progress(`publish ${fmt(size)}: ${(result.first.ms / 1000).toFixed(1)} s, ${result.first.summary}; second run`);
      result.again = await publishOnce(dir, worker.base);
      progress(`publish ${fmt(size)}: again ${(result.again.ms / 1000).toFixed(1)} s, ${result.again.summary}`);
    } finally {
      await worker.stop();
      await rm(persist, { recursive: true, force: true });
    }
  }
  return reportPublish(results);
}

function reportPublish(results: PublishResult[]): Section {
  const seconds = (run?: RunFigures) => (run ? `${(run.ms / 1000).toFixed(1)} s` : 'not run');
  const rows = results.map((r) => [
    fmt(r.size),
    seconds(r.first),
    r.first ? `${fmt(r.size / (r.first.ms / 1000))}/s` : '',
    seconds(r.again),
    r.first && r.again ? mib(Math.max(r.first.hwmKb, r.again.hwmKb)) : '',
    `${r.first?.summary ?? r.note ?? ''}; again: ${r.again?.summary ?? ''}`,
    r.load,
  ]);
  const goals: Goal[] = [];
  const big = results.find((r) => r.size === 100_000);
  if (big) {
    goals.push({ name: '`wirefeed publish` of 100,000 articles into `npm run dev:worker`', target: '≤ 3 min', measured: seconds(big.first), met: !!big.first && big.first.code === 0 && big.first.ms <= FIRST_GOAL_MS });
    goals.push({ name: 'the same publish again, nothing changed', target: '≤ 20 s', measured: seconds(big.again), met: !!big.again && big.again.code === 0 && big.again.ms <= AGAIN_GOAL_MS });
    const hwm = Math.max(big.first?.hwmKb ?? Infinity, big.again?.hwmKb ?? 0);
    goals.push({ name: 'peak RSS of `wirefeed publish` over 100,000 files', target: '< 300 MiB', measured: Number.isFinite(hwm) ? `${mib(hwm)} MiB` : 'not run', met: hwm < RSS_GOAL_KB });
  }
  const markdown = [
    '## Bulk publish into the Worker',
    '',
    `${machineNote('each publish')}. \`wirefeed publish\` (bulk batches of up to 500 files, 4 in flight; the listing paged by 1,000) ` +
      'of a flat generated corpus into `npm run dev:worker` over a fresh local D1, then the same command again with nothing changed. ' +
      'Peak RSS is the publish process\'s VmHWM, sampled every 100 ms. The machine is shared: the load average is given per size.',
    '',
    markdownTable(['articles', 'first run', 'rate', 'again (unchanged)', 'peak RSS (MiB)', 'outcome', 'load (1/5/15) at start'], rows),
  ].join('\n');
  return { markdown, goals };
}
