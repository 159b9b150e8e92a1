// Bulk: thousands of files arriving at once. They are prepared in a staging folder on the same
// tmpfs, then `cp -r` into the flat folder, or (by section) the prepared section folder is renamed
// in whole; /status is polled until its article count has grown by all of them.
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { caseName, type CaseSpec } from './cold-start.ts';
import { articleText } from './corpus.ts';
import { BENCH_PREFIX, cpuTimeMs, fmt, markdownTable, memoryOf, mib, progress, sleep, type Goal } from './lib.ts';
import { statusOf, type RunningWirefeed } from './server.ts';

export interface BulkOptions {
  count: number;
  pollMs: number;
  /** Give up waiting this long after the copy. */
  timeoutMs: number;
}

export interface BulkResult {
  spec: CaseSpec;
  published: number;
  /** New entries in /status's rejected list. */
  rejected: number;
  copyMs: number;
  /** Start of the copy → /status counts every file (NaN if it never did). */
  lastVisibleMs: number;
  /** Server CPU time from the start of the copy until the last one was counted (or given up). */
  cpuMs: number;
  hwmKb: number;
  note?: string;
}

const STAGE = `/dev/shm/wirefeed-bench-stage-${process.pid}`;

export async function runBulk(server: RunningWirefeed, spec: CaseSpec, options: BulkOptions): Promise<BulkResult> {
  const label = `bulk ${caseName(spec)}`;
  const stamp = `${process.pid}-${spec.size}-${spec.layout}`;
  const before = await statusOf(server.base);
  const rejectedBefore = before.rejected.length;
  await rm(STAGE, { recursive: true, force: true });
  // By section: one new section folder; flat: files round-robin over the existing sections.
  const folder = `${BENCH_PREFIX}bulk-${stamp}`;
  const target = spec.layout === 'flat' ? STAGE : join(STAGE, folder);
  await mkdir(target, { recursive: true });
  progress(`${label}: staging ${fmt(options.count)} files`);
  for (let i = 0; i < options.count; i++) {
    const section = spec.layout === 'flat' ? before.sections[i % before.sections.length]!.name : folder;
    const name = spec.layout === 'flat' ? `${BENCH_PREFIX}bulk-${stamp}-${i}.txt` : `bulk-${i}.txt`;
    await writeFile(join(target, name), articleText(section, `Bench bulk ${stamp} number ${i}`));
  }

  const cpuBefore = cpuTimeMs(server.pid);
  const start = performance.now();
  if (spec.layout === 'flat') await promisify(execFile)('cp', ['-r', `${STAGE}/.`, `${server.dir}/`]);
  else await rename(target, join(server.dir, folder));
  const copyMs = performance.now() - start;
  progress(`${label}: copied in ${fmt(copyMs)} ms`);

  let published = 0;
  let rejected = 0;
  let lastVisibleMs = NaN;
  let logged = 0;
  while (performance.now() - start < copyMs + options.timeoutMs) {
    const tick = performance.now();
    const now = await statusOf(server.base).catch(() => undefined);
    if (now) {
      published = now.articles - before.articles;
      rejected = now.rejected.length - rejectedBefore;
      if (published >= options.count) {
        lastVisibleMs = performance.now() - start;
        break;
      }
      if (published >= logged + 1000) {
        logged = published - (published % 1000);
        progress(`${label}: ${fmt(published)}/${fmt(options.count)} published`);
      }
    }
    await sleep(Math.max(0, options.pollMs - (performance.now() - tick)));
  }
  const cpuMs = cpuTimeMs(server.pid) - cpuBefore;
  await rm(STAGE, { recursive: true, force: true });
  progress(`${label}: ${fmt(published)}/${fmt(options.count)} published, last visible after ${fmt(lastVisibleMs)} ms, CPU ${fmt(cpuMs)} ms`);
  return { spec, published, rejected, copyMs, lastVisibleMs, cpuMs, hwmKb: memoryOf(server.pid)?.hwmKb ?? NaN };
}

export function reportBulk(results: BulkResult[], options: BulkOptions): { markdown: string; goals: Goal[] } {
  const goals: Goal[] = [];
  const rows = results.map(({ spec, published, rejected, copyMs, lastVisibleMs, cpuMs, hwmKb, note }) => {
    const name = `Bulk ${caseName(spec)}: ${fmt(options.count)} files at once`;
    const target = 'every one published';
    if (note !== undefined) {
      if (spec.goals) goals.push({ name, target, measured: note, met: false });
      return [fmt(spec.size), spec.layout, note, '', '', '', '', '', ''];
    }
    const met = published >= options.count;
    if (spec.goals) goals.push({ name, target, measured: `${fmt(published)}/${fmt(options.count)} published`, met });
    return [
      fmt(spec.size),
      spec.layout,
      `**${fmt(published)}/${fmt(options.count)}**${rejected > 0 ? ` (${rejected} rejected)` : ''}`,
      fmt(copyMs),
      Number.isFinite(lastVisibleMs) ? `**${fmt(lastVisibleMs)}**` : `not all within ${fmt(options.timeoutMs)}`,
      (cpuMs / options.count).toFixed(2),
      mib(hwmKb),
      spec.layout === 'flat' ? '`cp -r` into the folder' : 'new section folder renamed in',
      spec.goals ? `${target} ${met ? 'met' : 'NOT met'}` : 'figures only',
    ];
  });
  const markdown = [
    '## 4. Bulk arrival',
    '',
    `1 run per row: ${fmt(options.count)} new files arriving within one second, into the restarted server of that row after its burst.`,
    '',
    markdownTable(['Articles', 'layout', 'published', 'copy ms', 'copy start → last visible ms', 'server CPU ms per file', 'peak RSS MiB', 'how', 'goal'], rows),
    '',
    `The ${fmt(options.count)} plain-text articles are first written to a staging folder on the same tmpfs (/dev/shm). Flat: ` +
      '`cp -r STAGE/. ARTICLES_DIR/` copies them in (round-robin over the existing sections). By section: the staging folder holds ' +
      'one new section folder with all of them, renamed into the articles folder in one step. The clock starts just before the copy; ' +
      `\`/status\` (JSON) is polled every ${options.pollMs} ms until its article count has grown by ${fmt(options.count)} ("last visible"), ` +
      `giving up ${fmt(options.timeoutMs)} ms after the copy. CPU: the server's node process from the start of the copy until then. ` +
      'Peak RSS: VmHWM of the server afterwards (its whole life). No time goal; the goal is that every file is published.',
  ].join('\n');
  return { markdown, goals };
}
