// Article pages from a cold cache: a running server (the restarted one of the cold-start case, so
// nothing has been read since its start) is asked for articles spread over the whole archive, each
// once, so every answer reads and parses its file again. The links come from section HTML pages,
// which list titles only and read no body.
import { caseName, type CaseSpec } from './cold-start.ts';
import { fmt, httpGet, markdownTable, memoryOf, mib, percentile, progress, type Goal } from './lib.ts';
import { sectionsOf, type RunningWirefeed } from './server.ts';

export const PAGE_GOAL_MS = 20;
const SECTION_PAGE_SIZE = 100;

export interface PagesOptions {
  count: number;
}

export interface PagesResult {
  spec: CaseSpec;
  /** Milliseconds per article page, each asked once. */
  latencies: number[];
  /** VmHWM of the server afterwards. */
  hwmKb: number;
  note?: string;
}

/** A deterministic spread: page numbers across each section, then links from each page. */
export async function runArticlePages(server: RunningWirefeed, spec: CaseSpec, options: PagesOptions): Promise<PagesResult> {
  const label = `article pages ${caseName(spec)}`;
  const sections = await sectionsOf(server.base);
  const perSection = Math.ceil(options.count / sections.length);
  const urls: string[] = [];
  for (const section of sections) {
    const pages = Math.max(1, Math.ceil(section.articles / SECTION_PAGE_SIZE));
    for (let i = 0; i < perSection && urls.length < options.count; i++) {
      // Page i of perSection evenly spread from first to last: newest, middle and oldest articles alike.
      const page = 1 + Math.floor((i * (pages - 1)) / Math.max(1, perSection - 1));
      const listing = await httpGet(`${server.base}/${section.slug}/?page=${page}`);
      if (listing.status !== 200) throw new Error(`${label}: /${section.slug}/?page=${page} answered ${listing.status}`);
      const links = [...listing.body.toString().matchAll(/<li><a href="([^"]+)">/g)].map((match) => match[1]!);
      const link = links[(i * 37) % Math.max(1, links.length)];
      if (link !== undefined) urls.push(new URL(link).pathname);
    }
  }
  progress(`${label}: ${fmt(urls.length)} articles, each asked once`);
  const latencies: number[] = [];
  for (const path of new Set(urls)) {
    const started = performance.now();
    const answer = await httpGet(`${server.base}${path}`);
    latencies.push(performance.now() - started);
    if (answer.status !== 200 || !answer.body.toString().includes('<article>')) throw new Error(`${label}: ${path} answered ${answer.status}`);
  }
  return { spec, latencies, hwmKb: memoryOf(server.pid)?.hwmKb ?? NaN };
}

export function reportArticlePages(results: PagesResult[], options: PagesOptions): { markdown: string; goals: Goal[] } {
  const goals: Goal[] = [];
  const rows = results.map(({ spec, latencies, hwmKb, note }) => {
    const name = `Article page ${caseName(spec)}: cold cache`;
    if (note !== undefined || latencies.length === 0) {
      if (spec.goals && spec.size >= 100_000) goals.push({ name, target: `p99 < ${PAGE_GOAL_MS} ms`, measured: note ?? 'no figures', met: false });
      return [fmt(spec.size), spec.layout, note ?? 'no figures', '', '', '', ''];
    }
    const p99 = percentile(latencies, 99);
    const met = p99 < PAGE_GOAL_MS;
    if (spec.goals && spec.size >= 100_000) goals.push({ name, target: `p99 < ${PAGE_GOAL_MS} ms`, measured: `${p99.toFixed(1)} ms`, met });
    return [
      fmt(spec.size),
      spec.layout,
      fmt(latencies.length),
      percentile(latencies, 50).toFixed(1),
      `**${p99.toFixed(1)}**`,
      mib(hwmKb),
      spec.goals && spec.size >= 100_000 ? `p99 < ${PAGE_GOAL_MS} ms ${met ? 'met' : 'NOT met'}` : 'figures only',
    ];
  });
  const markdown = [
    '## Article pages from a cold cache',
    '',
    `Up to ${fmt(options.count)} articles spread over every section (newest to oldest), each asked once of the restarted server ` +
      'of the cold-start case right after its first change was visible: nothing but that change had been read since it started, so each page reads ' +
      'and parses its file again (the lean store keeps no bodies). One client, loopback, wall time per request.',
    '',
    markdownTable(['Articles', 'Layout', 'pages asked', 'p50 ms', 'p99 ms', 'server VmHWM (MiB)', 'goal'], rows),
    '',
  ].join('\n');
  return { markdown, goals };
}
