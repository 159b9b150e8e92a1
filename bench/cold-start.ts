// Cold start and restart: spawn → first 200 from /readyz with an empty state folder, then (once
// it has settled and been stopped with SIGTERM) again with the state it left, each beside the
// floor (bench/floor.ts: walk, read, split into lines) run the same way (`tsx <script>`).
import { rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { articleText, ensureCorpus, sectionFolder, writeArticle, type Layout } from './corpus.ts';
import { BENCH_PREFIX, TSX, captureOutput, exitOf, fmt, loadAverage, markdownTable, median, memoryOf, mib, progress, spawnGroup, stopGroup, type Goal } from './lib.ts';
import { engineOf, sectionsOf, startWirefeedChild, terminate, waitForTitle, waitSettled, type RunningWirefeed } from './server.ts';

/** One (size, layout) combination; `goals` is false for the figures-only 1,000,000 run. */
export interface CaseSpec {
  size: number;
  layout: Layout;
  goals: boolean;
}

export interface ColdRun {
  floorMs: number;
  floorInternalMs: number;
  floorHwmKb: number;
  coldMs: number;
  /** The server's own "indexed N articles ... in X ms" figure. */
  scanMs: number;
  /** VmHWM once the cold-started server had settled (just before SIGTERM). */
  coldHwmKb: number;
  /** /readyz 200 → settled (quiet log, idle CPU). */
  settleMs: number;
  /** SIGTERM → exit (NaN if it had to be killed). */
  stopMs: number;
  restartMs: number;
  /** Files the restarted server read again (the rest came from its state), from its log. */
  restartRead: number;
  /** Restart spawn → a file written just after /readyz is in its feed (the watcher is up). */
  probeMs: number;
  /** VmHWM of the restarted server once that file was visible. */
  restartHwmKb: number;
}

export interface ColdResult {
  spec: CaseSpec;
  runs: ColdRun[];
  engine: string;
  /** "not run: …" or "failed: …" when there are no figures. */
  note?: string;
}

export const COLD_GOAL = 1.5;
export const RESTART_GOAL = 0.5;
/** Issue 10: VmHWM of the server at 100,000 articles. */
export const MEMORY_GOAL_MIB = 500;
/** The restart goal applies at this size only (the ratio is reported at every size). */
export const RESTART_GOAL_SIZE = 100_000;

export function stateDirOf({ size, layout }: CaseSpec): string {
  return `/dev/shm/wirefeed-bench-state-${size}-${layout}`;
}

export function caseName({ size, layout }: CaseSpec): string {
  return `${fmt(size)} ${layout}`;
}

/**
 * Runs floor, cold start and restart `runs` times. With `keepLast`, the last restarted server
 * stays up (watching) and is returned for the burst and bulk benches.
 */
export async function runColdStart(spec: CaseSpec, runs: number, keepLast: boolean, env: Record<string, string>): Promise<{ result: ColdResult; server?: RunningWirefeed }> {
  const dir = await ensureCorpus(spec.size, spec.layout);
  const label = `cold start ${caseName(spec)}`;
  const timeoutMs = Math.max(600_000, spec.size * 3);
  // A fixed BASE_URL: by default it names the (free, so changing) port, and BASE_URL is part of
  // the state's fingerprint (it changes parsed output), so every restart would read everything.
  const serverEnv = { BASE_URL: 'http://bench.wirefeed.test', ...env, STATE_DIR: stateDirOf(spec) };
  const result: ColdResult = { spec, runs: [], engine: '' };
  let kept: RunningWirefeed | undefined;
  for (let i = 0; i < runs; i++) {
    const last = i === runs - 1;
    // Floor and server alternate in order; the last run starts with the floor, so a kept server never runs beside it.
    const floorFirst = last || i % 2 === 0;
    const floorBefore = floorFirst ? await runFloor(dir, spec.size, label) : undefined;

    await rm(stateDirOf(spec), { recursive: true, force: true });
    progress(`${label}: cold start (run ${i + 1}/${runs}, load ${loadAverage()})`);
    const cold = await startWirefeedChild(dir, { timeoutMs, env: serverEnv });
    const coldMs = cold.healthyAt - cold.spawnedAt;
    const scanMs = scanLog(cold.output()).ms;
    let settleMs: number;
    let coldHwmKb: number;
    let stopMs: number;
    try {
      settleMs = await waitSettled(cold, { maxMs: Math.max(60_000, spec.size * 1.5) });
      result.engine ||= engineOf(cold.output());
      coldHwmKb = memoryOf(cold.pid)?.hwmKb ?? NaN;
      stopMs = await terminate(cold, Math.max(120_000, spec.size));
    } finally {
      await cold.stop();
    }

    progress(`${label}: restart (run ${i + 1}/${runs})`);
    const restarted = await startWirefeedChild(dir, { timeoutMs, env: serverEnv });
    let probe: { probeMs: number; restartHwmKb: number; file: string };
    try {
      probe = await runProbe(restarted, spec, i, timeoutMs);
    } catch (error) {
      await restarted.stop();
      throw error;
    }
    if (keepLast && last) {
      kept = restarted;
    } else {
      await restarted.stop();
      // Before the floor runs: it must see exactly the generated articles.
      await unlink(probe.file).catch(() => undefined);
    }
    const floor = floorBefore ?? (await runFloor(dir, spec.size, label));
    const run: ColdRun = {
      floorMs: floor.wallMs,
      floorInternalMs: floor.ms,
      floorHwmKb: floor.hwmKb,
      coldMs,
      scanMs,
      coldHwmKb,
      settleMs,
      stopMs,
      restartMs: restarted.healthyAt - restarted.spawnedAt,
      restartRead: scanLog(restarted.output()).read,
      probeMs: probe.probeMs,
      restartHwmKb: probe.restartHwmKb,
    };
    result.runs.push(run);
    progress(
      `${label}: run ${i + 1}/${runs}: floor ${fmt(run.floorMs)} ms, cold ${fmt(run.coldMs)} ms / ${mib(run.coldHwmKb)} MiB, ` +
        `restart ${fmt(run.restartMs)} ms / ${mib(run.restartHwmKb)} MiB, first change visible ${fmt(run.probeMs)} ms after restart spawn`,
    );
  }
  return { result, server: kept };
}

/** Writes one article right after /readyz is 200 and waits until it is in its section's feed. */
async function runProbe(server: RunningWirefeed, spec: CaseSpec, run: number, timeoutMs: number) {
  const section = (await sectionsOf(server.base))[0]!;
  const folder = sectionFolder(server.dir, spec.layout, section.slug);
  const name = `${BENCH_PREFIX}probe-${process.pid}-${run}.txt`;
  const title = `Bench probe ${process.pid} ${spec.size} ${spec.layout} run ${run}`;
  await writeArticle(folder, name, articleText(section.name, title));
  const visibleAt = await waitForTitle(`${server.base}/${section.slug}/rss.xml`, title, timeoutMs);
  return { probeMs: visibleAt - server.spawnedAt, restartHwmKb: memoryOf(server.pid)?.hwmKb ?? NaN, file: join(folder, name) };
}

async function runFloor(dir: string, size: number, label: string): Promise<{ wallMs: number; ms: number; hwmKb: number }> {
  progress(`${label}: floor`);
  const start = performance.now();
  const child = spawnGroup(TSX, ['bench/floor.ts', dir], process.env);
  const output = captureOutput(child);
  const code = await exitOf(child, Math.max(600_000, size * 3));
  const wallMs = performance.now() - start;
  await stopGroup(child);
  const line = output.text().trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`floor failed (${code}): ${output.text()}`);
  const parsed = JSON.parse(line) as { files: number; ms: number; hwmKb: number };
  if (parsed.files !== size) throw new Error(`floor read ${parsed.files} files, expected ${size}`);
  return { wallMs, ms: parsed.ms, hwmKb: parsed.hwmKb };
}

export function reportColdStart(results: ColdResult[]): { markdown: string; goals: Goal[] } {
  const goals: Goal[] = [];
  const rows = results.map(({ spec, runs, note }) => {
    const name = caseName(spec);
    const restartGoal = spec.goals && spec.size === RESTART_GOAL_SIZE;
    if (note !== undefined || runs.length === 0) {
      const text = note ?? 'failed: no runs';
      if (spec.goals) goals.push({ name: `Cold start ${name}: server/floor time`, target: `≤ ${COLD_GOAL}x`, measured: text, met: false });
      if (restartGoal) goals.push({ name: `Restart ${name}: server/floor time`, target: `≤ ${RESTART_GOAL}x`, measured: text, met: false });
      return [fmt(spec.size), spec.layout, text, '', '', '', '', '', '', '', '', '', ''];
    }
    const m = (pick: (run: ColdRun) => number) => median(runs.map(pick));
    const floor = m((r) => r.floorMs);
    const coldRatio = m((r) => r.coldMs) / floor;
    const restartRatio = m((r) => r.restartMs) / floor;
    const coldMet = coldRatio <= COLD_GOAL;
    const restartMet = restartRatio <= RESTART_GOAL;
    if (spec.goals) goals.push({ name: `Cold start ${name}: server/floor time`, target: `≤ ${COLD_GOAL}x`, measured: `${coldRatio.toFixed(2)}x`, met: coldMet });
    if (restartGoal) goals.push({ name: `Restart ${name}: server/floor time`, target: `≤ ${RESTART_GOAL}x`, measured: `${restartRatio.toFixed(2)}x`, met: restartMet });
    if (restartGoal) {
      // Issue 10: peak RSS serving 100,000 articles, both after a cold start and after a restart.
      for (const [what, kb] of [['cold start', m((r) => r.coldHwmKb)], ['restart', m((r) => r.restartHwmKb)]] as const) {
        goals.push({ name: `Peak RSS ${name} (${what})`, target: `≤ ${MEMORY_GOAL_MIB} MiB`, measured: `${mib(kb)} MiB`, met: kb / 1024 <= MEMORY_GOAL_MIB });
      }
    }
    const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
    return [
      fmt(spec.size),
      spec.layout,
      `${fmt(floor)} (${fmt(m((r) => r.floorInternalMs))})`,
      fmt(m((r) => r.coldMs)),
      `**${coldRatio.toFixed(2)}x**`,
      mib(m((r) => r.coldHwmKb)),
      fmt(m((r) => r.restartMs)),
      `**${restartRatio.toFixed(2)}x**`,
      mib(m((r) => r.restartHwmKb)),
      `${fmt(m((r) => r.scanMs))} / ${fmt(m((r) => r.settleMs))} / ${fmt(m((r) => r.stopMs))}`,
      fmt(m((r) => r.restartRead)),
      fmt(m((r) => r.probeMs)),
      `${String(runs.length)}; floor ${mib(m((r) => r.floorHwmKb))} MiB`,
      spec.goals
        ? `cold ≤ ${COLD_GOAL}x ${verdict(coldMet)}; restart ${restartGoal ? `≤ ${RESTART_GOAL}x ${verdict(restartMet)}` : 'no goal at this size'}`
        : 'figures only',
    ];
  });
  const engines = [...new Set(results.map((r) => r.engine).filter((e) => e !== ''))];
  const markdown = [
    '## 2. Cold start and restart',
    '',
    `Watch engine, from the server's log: ${engines.length > 0 ? engines.map((e) => `\`${e}\``).join(', ') : 'n/a'}. ` +
      'Medians over the runs of each row (3 at 10,000, 1 above, by default).',
    '',
    markdownTable(
      [
        'Articles',
        'layout',
        'floor ms (in-script)',
        'cold start ms',
        'cold/floor',
        'cold peak RSS MiB',
        'restart ms',
        'restart/floor',
        'restart peak RSS MiB',
        'scan log / settle / SIGTERM→exit ms',
        'files read on restart',
        'restart spawn → first change visible ms',
        'runs; floor peak RSS',
        'goals',
      ],
      rows,
    ),
    '',
    'Server and floor run the same way: `node_modules/.bin/tsx <script>` in a child process; peak RSS is VmHWM of the grandchild ' +
      'node process tsx starts (the wrapper\'s ~45 MiB left out of both). The server is `src/node/main.ts` with ARTICLES_DIR, PORT (free), ' +
      'HOST=127.0.0.1, a fixed BASE_URL (part of the state fingerprint, so a free port per run must not change it) and STATE_DIR=`/dev/shm/wirefeed-bench-state-<size>-<layout>`; /readyz is polled every 20 ms. "Files read on restart" comes from the start-up line of the restarted server. ' +
      '**Cold start**: the state folder is deleted first; spawn → first 200 from /readyz. The bench then waits until the server has ' +
      'settled (at least 2 s after that 200, 2 s without log output and under 5% CPU over a second: "settle"), reads its peak RSS and ' +
      'sends SIGTERM to its node process ("SIGTERM→exit"). **Restart**: spawned again over the unchanged folder with the state it left; ' +
      'spawn → first 200 from /readyz. Right after that 200 the bench writes one new article (temp file + rename, into its section ' +
      'folder when by section) and polls its section feed every 20 ms: "first change visible" is the outside view of the watcher being ' +
      'up; the restart\'s peak RSS is read then. The **floor** (`bench/floor.ts`) walks the folder and its sub-folders, reads every file ' +
      'with 32 reads in flight, decodes UTF-8 and splits it into lines, holding all lines until the end. Goals: cold start ≤ ' +
      `${COLD_GOAL}x the floor; restart ≤ ${RESTART_GOAL}x the floor at ${fmt(RESTART_GOAL_SIZE)} (reported at every size). ` +
      'Corpora: `gen-articles --count N [--by-section]` in /dev/shm (tmpfs).',
  ].join('\n');
  return { markdown, goals };
}

/** The server's start-up line: `indexed N articles in S sections from F files[ (R read, U unchanged…)] in X ms`. */
function scanLog(output: string): { ms: number; read: number } {
  const match = /indexed \d+ articles in \d+ sections from (\d+) files(?: \((\d+) read, \d+ unchanged since the last run\))? in (\d+) ms/.exec(output);
  if (!match) return { ms: NaN, read: NaN };
  return { ms: Number(match[3]), read: Number(match[2] ?? match[1]) };
}
