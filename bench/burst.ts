// Burst: new article files written into a running server's folder (by section: into their section
// folders), one every `spacingMs`, each timed from its rename resolving until its title is in its
// section's RSS feed; with the server's CPU time per new file.
import { caseName, type CaseSpec } from './cold-start.ts';
import { articleText, sectionFolder, writeArticle } from './corpus.ts';
import { BENCH_PREFIX, cpuTimeMs, fmt, httpGet, markdownTable, memoryOf, mib, percentile, progress, sleep, type Goal } from './lib.ts';
import { sectionsOf, type RunningWirefeed } from './server.ts';

export interface BurstOptions {
  count: number;
  spacingMs: number;
  pollMs: number;
  /** The server's SETTLE_MS (its default). */
  settleMs: number;
  /** A file not visible after this long counts as lost. */
  timeoutMs: number;
}

export interface BurstResult {
  spec: CaseSpec;
  /** Milliseconds from rename to visible, one per file seen. */
  latencies: number[];
  lost: number;
  /** Of the lost files, how many the server's log says it published (so only the feed missed them). */
  lostButLogged: number;
  /** Server CPU time from the first write until the last file was seen (or given up), divided by the files written. */
  cpuPerFileMs: number;
  /** VmHWM of the server after the burst. */
  hwmKb: number;
  /** "not run: …" or "failed: …" when there are no figures. */
  note?: string;
}

interface Pending {
  slug: string;
  title: string;
  file: string;
  writtenAt: number;
}

/** Writes `count` articles into the server's folder at a fixed rate and times each one into the feed. */
export async function runBurst(server: RunningWirefeed, spec: CaseSpec, options: BurstOptions): Promise<BurstResult> {
  const sections = await sectionsOf(server.base);
  const label = `burst ${caseName(spec)}`;
  const stamp = `${process.pid}-${spec.size}-${spec.layout}`;
  const cpuBefore = cpuTimeMs(server.pid);
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
        await writeArticle(sectionFolder(server.dir, spec.layout, section.slug), file, articleText(section.name, title));
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
      progress(`${label}: ${latencies.length}/${options.count} seen`);
    }
    await sleep(Math.max(0, options.pollMs - (performance.now() - tick)));
  }
  await writer;
  const cpuPerFileMs = (cpuTimeMs(server.pid) - cpuBefore) / options.count;
  lostFiles.push(...[...pending.values()].map((item) => item.file));
  const output = server.output();
  const lostButLogged = lostFiles.filter((file) => output.includes(`published ${file}`)).length;
  const lost = lostFiles.length;
  progress(`${label}: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, lost ${lost}, CPU ${cpuPerFileMs.toFixed(1)} ms/file`);
  if (lost > 0) progress(`${label}: not seen within ${options.timeoutMs} ms: ${lostFiles.join(', ')} (${lostButLogged} of them logged as published)`);
  return { spec, latencies, lost, lostButLogged, cpuPerFileMs, hwmKb: memoryOf(server.pid)?.hwmKb ?? NaN };
}

export function reportBurst(results: BurstResult[], options: BurstOptions): { markdown: string; goals: Goal[] } {
  const limit = options.settleMs + 100;
  const goals: Goal[] = [];
  const rows = results.map(({ spec, latencies, lost, lostButLogged, cpuPerFileMs, hwmKb, note }) => {
    const name = `Burst ${caseName(spec)}: p99, lost`;
    const target = `≤ ${limit} ms, 0 lost`;
    if (note !== undefined) {
      if (spec.goals) goals.push({ name, target, measured: note, met: false });
      return [fmt(spec.size), spec.layout, note, '', '', '', '', '', '', '', ''];
    }
    // A lost file counts as slower than the timeout, so it pushes the percentiles up instead of vanishing.
    const all = [...latencies, ...Array.from({ length: lost }, () => Infinity)];
    const show = (p: number) => {
      const value = percentile(all, p);
      return Number.isFinite(value) ? fmt(value) : `> ${fmt(options.timeoutMs)}`;
    };
    const met = percentile(all, 99) <= limit && lost === 0;
    if (spec.goals) goals.push({ name, target, measured: `${show(99)} ms, ${lost} lost`, met });
    return [
      fmt(spec.size),
      spec.layout,
      `${latencies.length}/${options.count}`,
      show(50),
      show(95),
      `**${show(99)}**`,
      latencies.length > 0 ? fmt(Math.max(...latencies)) : 'n/a',
      lost === 0 ? '**0**' : `**${lost}** (${lostButLogged} logged as published)`,
      cpuPerFileMs.toFixed(1),
      mib(hwmKb),
      spec.goals ? `${target} ${met ? 'met' : 'NOT met'}` : 'figures only',
    ];
  });
  const markdown = [
    '## 3. Burst: update latency',
    '',
    `1 run per row; percentiles over the ${options.count} new files of that run.`,
    '',
    markdownTable(['Articles', 'layout', 'seen', 'p50 ms', 'p95 ms', 'p99 ms', 'max seen ms', 'lost', 'server CPU ms per new file', 'peak RSS MiB', 'goal'], rows),
    '',
    `The server is the restarted server of each row (\`tsx src/node/main.ts\`, SETTLE_MS=${options.settleMs}, the default), already ` +
      `watching (its probe file was visible). ${options.count} new articles, one every ${options.spacingMs} ms round-robin over the sections, ` +
      'each written complete with one writeFile to a dot-named temp file in the folder it belongs in (the top folder when flat, its ' +
      'section folder when by section; the watcher ignores dotfiles) and renamed into place; the clock starts when the rename resolves. ' +
      `The section's RSS feed is polled every ${options.pollMs} ms with If-None-Match of its last ETag until the title appears (so the ` +
      `figures include up to ${options.pollMs} ms of polling granularity). A file not seen within ${fmt(options.timeoutMs)} ms counts as lost ` +
      '(and as slower than that in the percentiles); "logged as published" says whether the server\'s log has a `published <file>` line ' +
      'for it anyway. CPU per new file: user+system time of the server\'s node process (from /proc, 10 ms ticks) from the first write ' +
      `until the last file was seen, divided by ${options.count}; it includes answering the polls (mostly 304s). Peak RSS: VmHWM of the ` +
      `server after the burst (a peak over its whole life, restart included). Goal: p99 ≤ settle window + 100 ms = ${limit} ms and ` +
      '0 lost, at every size and layout.',
  ].join('\n');
  return { markdown, goals };
}
