// Start-up of the built package against TypeScript through tsx (issue 11): spawn to `/readyz` 200
// over the 338-article Wikinews corpus, and `wirefeed --help` to exit, each way, in interleaved
// rounds so both see the same machine. The build runs first, so dist/ is this checkout's code.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exitOf, fmt, freePort, markdownTable, median, percentile, progress, ROOT, spawnGroup, stopGroup, TSX, waitFor200, type Goal, type Section } from './lib.ts';

/** 200 once the first scan is done (503 before it). */
export const READY_PATH = '/readyz';
export const STARTUP_GOAL = 0.6;
const CORPORA = process.env.CORPORA ?? '/work/shared/corpora';
const POLL_MS = 5;
const TIMEOUT_MS = 60_000;

export interface StartupOptions {
  rounds: number;
}

interface Way {
  name: string;
  command: string;
  args: string[];
}

const WAYS: Way[] = [
  { name: 'tsx (`tsx src/node/main.ts`, before issue 11)', command: TSX, args: ['src/node/main.ts'] },
  { name: 'built (`node bin/wirefeed.js`)', command: process.execPath, args: ['bin/wirefeed.js'] },
];

export async function runStartup(options: StartupOptions): Promise<Section> {
  progress('startup: npm run build');
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  const corpus = await mkdtemp('/dev/shm/wirefeed-bench-startup-');
  try {
    const articles = await copyCorpus(corpus);
    progress(`startup: ${articles} articles, ${options.rounds} rounds of each way`);
    const ready: number[][] = WAYS.map(() => []);
    const help: number[][] = WAYS.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which way goes first, so neither always runs right after the other.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const index of order) {
        const way = WAYS[index]!;
        ready[index]!.push(await timeReady(way, corpus, round));
        help[index]!.push(await timeHelp(way));
      }
    }
    return report(articles, options, ready, help);
  } finally {
    await rm(corpus, { recursive: true, force: true });
  }
}

/** The Wikinews corpus (.txt and its Markdown versions) and the sample article, flat in `dir`. */
async function copyCorpus(dir: string): Promise<number> {
  const sources = [join(CORPORA, 'wikinews-en-2019-2020'), join(CORPORA, 'wikinews-en-2019-2020', 'markdown'), join(CORPORA, 'sample')];
  let count = 0;
  for (const source of sources) {
    for (const name of await readdir(source)) {
      if (!/\.(txt|md)$/.test(name) || name === 'SOURCE.md') continue;
      await copyFile(join(source, name), join(dir, name));
      count += 1;
    }
  }
  return count;
}

/** Milliseconds from spawn to the first 200 of READY_PATH, from a fresh state folder. */
async function timeReady(way: Way, corpus: string, round: number): Promise<number> {
  const port = await freePort();
  const state = `${corpus}-state-${round}-${way.command === TSX ? 'tsx' : 'built'}`;
  await mkdir(state);
  const env = { ...process.env, ARTICLES_DIR: corpus, STATE_DIR: state, PORT: String(port), HOST: '127.0.0.1' };
  const started = performance.now();
  const child = spawnGroup(way.command, [...way.args, 'serve'], env);
  let alive = true;
  child.once('exit', () => (alive = false));
  try {
    const at = await waitFor200(`http://127.0.0.1:${port}${READY_PATH}`, { intervalMs: POLL_MS, timeoutMs: TIMEOUT_MS, alive: () => alive });
    return at - started;
  } finally {
    await stopGroup(child);
    await rm(state, { recursive: true, force: true });
  }
}

/** Milliseconds from spawn to exit of `wirefeed --help`. */
async function timeHelp(way: Way): Promise<number> {
  const started = performance.now();
  const child = spawnGroup(way.command, [...way.args, '--help'], process.env);
  const code = await exitOf(child, TIMEOUT_MS);
  if (code !== 0) throw new Error(`startup: ${way.name} --help ended with ${code}`);
  return performance.now() - started;
}

function report(articles: number, options: StartupOptions, ready: number[][], help: number[][]): Section {
  const [tsxReady, builtReady] = ready.map((runs) => median(runs));
  const share = builtReady! / tsxReady!;
  const goal: Goal = {
    name: `Start-up to ${READY_PATH} 200 over ${articles} articles, built package against tsx`,
    target: `<= ${STARTUP_GOAL}x`,
    measured: `${share.toFixed(2)}x (${fmt(builtReady!)} ms against ${fmt(tsxReady!)} ms)`,
    met: share <= STARTUP_GOAL,
  };
  const rows = WAYS.map((way, index) => [
    way.name,
    fmt(median(ready[index]!)),
    fmt(percentile(ready[index]!, 90)),
    `${(median(ready[index]!) / tsxReady!).toFixed(2)}x`,
    fmt(median(help[index]!)),
    fmt(percentile(help[index]!, 90)),
    `${(median(help[index]!) / median(help[0]!)).toFixed(2)}x`,
  ]);
  const markdown = [
    '## Start-up: built package against tsx',
    '',
    `Spawn to the first 200 of \`${READY_PATH}\` (polled every ${POLL_MS} ms; the first scan is done) over the ${articles}-article ` +
      'Wikinews corpus (the .txt files, their Markdown versions and the sample, flat in /dev/shm), with a fresh state folder each ' +
      `time, and spawn to exit of \`wirefeed --help\`. ${options.rounds} interleaved rounds of each way, after \`npm run build\`; ` +
      'medians and p90. Goal: the built package starts in at most ' +
      `${STARTUP_GOAL}x the time tsx takes (${goal.met ? 'met' : 'NOT met'}).`,
    '',
    markdownTable(['Way', `${READY_PATH} p50 ms`, 'p90 ms', 'ratio', '--help p50 ms', 'p90 ms', 'ratio'], rows),
    '',
  ].join('\n');
  return { markdown, goals: [goal] };
}
