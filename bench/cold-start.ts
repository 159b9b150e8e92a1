// Cold start: spawn → first 200 from /healthz and the server's peak RSS, beside the floor
// (bench/floor.ts: walk, read, split into lines), both run the same way (`tsx <script>`).
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_PREFIX,
  TSX,
  articleText,
  captureOutput,
  ensureCorpus,
  exitOf,
  fmt,
  httpGet,
  machineNote,
  markdownTable,
  median,
  memoryOf,
  mib,
  progress,
  ratio,
  sectionsOf,
  sleep,
  spawnGroup,
  startWirefeedChild,
  stopGroup,
  writeArticle,
  type Goal,
  type RunningWirefeed,
} from './lib.ts';

export interface ColdStartRun {
  serverMs: number;
  serverHwmKb: number;
  /** The server's own "indexed N articles ... in X ms" figure. */
  scanMs: number;
  /** Spawn → a file written just after /healthz turned 200 is in its feed. */
  probeMs: number;
  hwmAfterProbeKb: number;
  floorMs: number;
  floorInternalMs: number;
  floorHwmKb: number;
}

export interface ColdStartResult {
  size: number;
  runs: ColdStartRun[];
}

const FLOOR_GOAL = 1.5;

/**
 * Alternates floor and server runs over `size` articles. With `keepLast`, the last server
 * stays up (already watching) and is returned for the update-latency bench.
 */
export async function runColdStart(size: number, runs: number, keepLast: boolean): Promise<{ result: ColdStartResult; server?: RunningWirefeed }> {
  const dir = await ensureCorpus(size);
  const result: ColdStartResult = { size, runs: [] };
  let kept: RunningWirefeed | undefined;
  for (let i = 0; i < runs; i++) {
    const last = i === runs - 1;
    const keep = last && keepLast;
    // The last run starts the floor first, so a kept server never runs beside it.
    const floorFirst = last || i % 2 === 0;
    const floorBefore = floorFirst ? await runFloor(dir, size) : undefined;
    const server = await runServer(dir, size, i);
    if (keep) {
      kept = server.running;
    } else {
      await server.running.stop();
      // Before the floor runs: it must see exactly the generated articles.
      await unlink(join(dir, server.probeFile)).catch(() => undefined);
    }
    const floor = floorBefore ?? (await runFloor(dir, size));
    const run = { ...server.figures, floorMs: floor.wallMs, floorInternalMs: floor.ms, floorHwmKb: floor.hwmKb };
    result.runs.push(run);
    progress(
      `cold start ${size}: run ${i + 1}/${runs}: server ${fmt(run.serverMs)} ms / ${mib(run.serverHwmKb)} MiB, ` +
        `floor ${fmt(run.floorMs)} ms / ${mib(run.floorHwmKb)} MiB, first change visible at ${fmt(run.probeMs)} ms`,
    );
  }
  return { result, server: kept };
}

async function runServer(dir: string, size: number, run: number) {
  progress(`cold start ${size}: starting server (run ${run + 1})`);
  const running = await startWirefeedChild(dir);
  try {
    const serverMs = running.healthyAt - running.spawnedAt;
    const serverHwmKb = memoryOf(running.pid)?.hwmKb ?? NaN;
    const scanMs = Number(/indexed \d+ articles in \d+ sections in (\d+) ms/.exec(running.output())?.[1] ?? NaN);
    // A file written now shows up once chokidar watches (and reconciles) or, if it already does,
    // after the settle time: an upper bound, seen from outside, on when changes are picked up.
    const section = (await sectionsOf(running.base))[0]!;
    const probeFile = `${BENCH_PREFIX}probe-${process.pid}-${run}.txt`;
    const title = `Bench probe ${process.pid} run ${run}`;
    await writeArticle(dir, probeFile, articleText(section.name, title));
    const probeAt = await waitForTitle(`${running.base}/${section.slug}/rss.xml`, title, 600_000);
    const figures = { serverMs, serverHwmKb, scanMs, probeMs: probeAt - running.spawnedAt, hwmAfterProbeKb: memoryOf(running.pid)?.hwmKb ?? NaN };
    return { running, figures, probeFile };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/** Polls a feed every 20 ms (cheaply, with If-None-Match) until `title` is in it. */
async function waitForTitle(url: string, title: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let etag: string | undefined;
  while (performance.now() < deadline) {
    const answer = await httpGet(url, { 'accept-encoding': 'identity', ...(etag ? { 'if-none-match': etag } : {}) }, 10_000).catch(() => undefined);
    if (answer?.status === 200) {
      if (answer.body.toString().includes(title)) return performance.now();
      etag = typeof answer.headers.etag === 'string' ? answer.headers.etag : undefined;
    }
    await sleep(20);
  }
  throw new Error(`"${title}" did not appear in ${url} within ${timeoutMs} ms`);
}

async function runFloor(dir: string, size: number): Promise<{ wallMs: number; ms: number; hwmKb: number }> {
  progress(`cold start ${size}: floor`);
  const start = performance.now();
  const child = spawnGroup(TSX, ['bench/floor.ts', dir], process.env);
  const output = captureOutput(child);
  const code = await exitOf(child, 600_000);
  const wallMs = performance.now() - start;
  await stopGroup(child);
  const line = output.text().trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`floor failed (${code}): ${output.text()}`);
  const parsed = JSON.parse(line) as { files: number; ms: number; hwmKb: number };
  if (parsed.files !== size) throw new Error(`floor read ${parsed.files} files, expected ${size}`);
  return { wallMs, ms: parsed.ms, hwmKb: parsed.hwmKb };
}

export function reportColdStart(results: ColdStartResult[]): { markdown: string; goals: Goal[] } {
  const goals: Goal[] = [];
  const rows = results.map(({ size, runs }) => {
    const m = (pick: (run: ColdStartRun) => number) => median(runs.map(pick));
    const timeRatio = m((r) => r.serverMs) / m((r) => r.floorMs);
    const met = timeRatio <= FLOOR_GOAL;
    goals.push({ name: `Cold start ${fmt(size)}: server/floor time`, target: `≤ ${FLOOR_GOAL}x`, measured: `${timeRatio.toFixed(2)}x`, met });
    return [
      fmt(size),
      fmt(m((r) => r.serverMs)),
      `${fmt(m((r) => r.floorMs))} (${fmt(m((r) => r.floorInternalMs))})`,
      `**${timeRatio.toFixed(2)}x**`,
      mib(m((r) => r.serverHwmKb)),
      mib(m((r) => r.floorHwmKb)),
      ratio(m((r) => r.serverHwmKb), m((r) => r.floorHwmKb)),
      fmt(m((r) => r.scanMs)),
      fmt(m((r) => r.probeMs)),
      mib(m((r) => r.hwmAfterProbeKb)),
      `≤ ${FLOOR_GOAL}x ${met ? 'met' : 'NOT met'}`,
    ];
  });
  const counts = [...new Set(results.map((r) => r.runs.length))].join('/');
  const markdown = [
    '## 2. Cold start',
    '',
    `${machineNote(`${counts} runs${results.length > 1 ? ` (${results.map((r) => `${fmt(r.size)}: ${r.runs.length}`).join(', ')})` : ''}`)}.`,
    '',
    markdownTable(
      [
        'Articles',
        'server: spawn → /healthz 200 (ms)',
        'floor: spawn → exit (in-script) ms',
        'time server/floor',
        'server peak RSS at 200 (MiB)',
        'floor peak RSS (MiB)',
        'RSS server/floor',
        'server\'s own scan log (ms)',
        'spawn → first change visible (ms)',
        'server peak RSS then (MiB)',
        'goal (time)',
      ],
      rows,
    ),
    '',
    'Both run the same way: `node_modules/.bin/tsx <script>` in a child process (tsx runs the script in a grandchild node ' +
      'process; peak RSS is VmHWM of that grandchild, read from /proc right after /healthz first answers 200, the wrapper\'s ~45 MiB ' +
      'left out of both). The server is `src/node/main.ts` with ARTICLES_DIR, PORT (free), HOST=127.0.0.1 and default settings; ' +
      '/healthz is polled every 20 ms. The floor (`bench/floor.ts`) walks the folder, reads every file with 32 reads in flight ' +
      '(the server\'s scan concurrency), decodes UTF-8 and splits it into lines, holding all lines until the end. ' +
      '"First change visible": right after /healthz is 200 the bench writes one new article (temp file + rename) and polls its section ' +
      'feed every 20 ms; it shows up once chokidar is watching and its reconcile pass is done (or, if it already was, after the ' +
      '300 ms settle time), so this is the outside view of `watcher.watching`. Corpora: `gen-articles --count N` in /dev/shm (tmpfs).',
  ].join('\n');
  return { markdown, goals };
}
