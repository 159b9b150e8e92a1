// Property test of restarts with the persisted state: random changes to a real folder while the
// server is stopped (add, edit, rename, delete, touch) and now and then a damaged journal (cut at
// a random byte, or one byte changed), then a real server (startWirefeed) is started again. What
// it serves must equal a fresh scan of the folder in everything but dates, and its dates must be
// the rule's (restart-state-model.ts): untouched and touched files keep theirs, an edit keeps
// publishedAt, and what a damaged journal lost is read as new. All mtimes are set in the past, so
// the settle window defers nothing and every date is known to the millisecond.
import fc from 'fast-check';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import type { ArticleMeta as Article } from '../../src/article/types.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig } from '../../src/site/config.ts';
import { toStoredArticle } from '../../src/node/intake/state/intake-state.ts';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { SOAK, recordFigures, size } from './figures.ts';
import { articleFiles, scanFolder } from './model-compare.ts';
import { contentArb, render, type Content } from './model-ops.ts';
import { damageJournal, expectAfterRestart, survivingRecords, type Damage, type Expected, type Known } from './restart-state-model.ts';

const ENV = { PORT: '0', HOST: '127.0.0.1', BASE_URL: 'http://feeds.test', SETTLE_MS: '50', FEED_LIMIT: '500' };
const RUNS = size(40, 1000);
/** Replays a reported failure: FC_SEED=<seed> FC_PATH=<path> from fast-check's report. */
const REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true } : {};
const TIME_LIMIT_MS = SOAK ? 30 * 60_000 : 40_000;
/** Every write is dated from here on, minutes to hours apart, with a sub-millisecond fraction. */
const EPOCH_MS = Date.UTC(2025, 5, 1, 8, 0, 0);

// Few names, so renames and adds land on paths that exist (or existed) now and then.
const PATHS = ['a.txt', 'b.md', 'politics/c.txt', 'politics/d.md', 'world/europe/e.txt', '2025-03-04-dated.txt'];
const pathArb = fc.constantFrom(...PATHS);
const pickArb = fc.nat({ max: 100 });

type StoppedOp =
  | { kind: 'add'; path: string; content: Content }
  | { kind: 'edit'; pick: number; content: Content }
  | { kind: 'rename'; pick: number; to: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'touch'; pick: number };

const opArb: fc.Arbitrary<StoppedOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), path: pathArb, content: contentArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: pickArb, content: contentArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: pickArb, to: pathArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: pickArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('touch' as const), pick: pickArb }) },
);
/** Where in the journal, as a fraction of its length: unbiased (fc.double favours 0 and 1). */
const atArb = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
const damageArb: fc.Arbitrary<Damage | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: atArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: atArb, xor: fc.integer({ min: 1, max: 255 }) }) },
);
const runArb = fc.record({
  initial: fc.array(fc.record({ path: pathArb, content: contentArb }), { minLength: 1, maxLength: 6 }),
  stops: fc.array(fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 8 }), damage: damageArb }), { minLength: 1, maxLength: 3 }),
});

describe('a restart with the persisted state, after changes made while the server was stopped', () => {
  it('serves what a fresh scan serves, with dates by the rules (kept, or a fresh scan\'s where the journal lost them)', async () => {
    const started = performance.now();
    const seen = { runs: 0, restarts: 0, ops: 0, damaged: 0, fullScans: 0, partial: 0, kept: 0, touched: 0, edited: 0, fresh: 0 };

    const property = fc.asyncProperty(runArb, async ({ initial, stops }) => {
      seen.runs += 1;
      const temp = await makeTempDir('wirefeed-restart-state-');
      const transcript: string[] = [];
      const log: string[] = [];
      let server: Wirefeed | undefined;
      let writes = 0;
      /** A new mtime for a write: each 90 s after the last, with a fraction of a ms that rounds either way. */
      const nextMtime = () => {
        writes += 1;
        return EPOCH_MS + writes * 90_000 + [0.25, 0.6, 0.999][writes % 3]!;
      };
      const write = async (path: string, content: Content) => {
        const file = join(temp.dir, ...path.split('/'));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, render(content, path));
        const when = nextMtime() / 1000;
        await utimes(file, when, when);
      };
      const env = { ...ENV, ARTICLES_DIR: temp.dir };
      const parseOptions = parseOptionsOf(resolveConfig(env));
      const start = async () => {
        server = await startWirefeed(env, { log: (line) => log.push(line) });
        await server.intake.idle();
        return server;
      };
      try {
        for (const { path, content } of initial) await write(path, content);
        transcript.push(`initial: ${(await articleFiles(temp.dir)).join(', ')}`);
        let known = new Map<string, Known>();
        let expected = await expectAfterRestart(temp.dir, known, parseOptions);
        await check(await start(), expected, undefined, 'first start');
        known = expected.known;

        for (const [round, { ops, damage }] of stops.entries()) {
          const before = await servedArticles(server!);
          await server!.close();
          server = undefined;
          for (const op of ops) transcript.push(`stopped ${round + 1}: ${await applyStoppedOp(temp.dir, op, write, nextMtime)}`);
          seen.ops += ops.length;
          let trusted: ReadonlyMap<string, Known> = known;
          let fullScan = false;
          if (damage) {
            seen.damaged += 1;
            const journalFile = join(temp.dir, '.wirefeed', 'journal');
            const journal = await readFile(journalFile);
            const { bytes, offset } = damageJournal(journal, damage);
            await writeFile(journalFile, bytes);
            const surviving = survivingRecords(journal, damage, offset);
            fullScan = surviving === undefined;
            if (fullScan) seen.fullScans += 1;
            else seen.partial += 1;
            trusted = surviving ?? new Map();
            transcript.push(`stopped ${round + 1}: journal (${journal.length} bytes) ${damage.kind === 'truncate' ? `cut at byte ${offset}` : `byte ${offset} xor ${damage.xor}`}: ${fullScan ? 'a full scan is due' : `${trusted.size} records survive`}`);
          }
          expected = await expectAfterRestart(temp.dir, trusted, parseOptions);
          seen.restarts += 1;
          await check(await start(), expected, fullScan ? 'fresh' : { before, trusted }, `restart ${round + 1}`);
          known = expected.known;
        }
      } catch (error) {
        throw new Error([(error as Error).message, 'what happened:', ...transcript.map((line) => `  ${line}`), 'server log (last 20 lines):', ...log.slice(-20).map((line) => `  ${line}`)].join('\n'));
      } finally {
        await server?.close();
        await temp.remove();
      }

      /**
       * What `wirefeed` serves against `expected`: the store's articles (every field, dates as the
       * model says), the rejections, and /feed.json through the app (item order follows dates).
       * `rules`: the previous dates, to state the rule plainly for untouched, touched and edited
       * files; 'fresh': a full scan was due, so everything must equal a fresh scan, dates included.
       */
      async function check(wirefeed: Wirefeed, want: Expected, rules: 'fresh' | { before: Map<string, Article>; trusted: ReadonlyMap<string, Known> } | undefined, when: string): Promise<void> {
        const served = await servedArticles(wirefeed);
        const scan = await scanFolder(temp.dir, env);
        const scanned = new Map(scan.articles.map((article) => [article.path, article]));
        // Everything but dates: a fresh scan's.
        expect(sortedPaths(served), `${when}: paths served`).toEqual(sortedPaths(scanned));
        for (const [path, article] of served) expect(withoutDates(article), `${when}: ${path}`).toEqual(withoutDates(scanned.get(path)!));
        const rejected = (await wirefeed.store.status()).rejected.map(({ path, reason }) => [path, reason]);
        expect(rejected.sort(), `${when}: rejections`).toEqual(scan.rejected.map(({ path, reason }) => [path, reason]).sort());
        // Dates: the rule's.
        for (const [path, article] of served) expect(datesOf(article), `${when}: dates of ${path}`).toEqual(datesOf(want.articles.get(path)!));
        const listed = new Map<string, Article>([...want.articles].filter(([, article]) => !article.draft));
        expect(sortedPaths(listed), `${when}: the model's paths`).toEqual(sortedPaths(served));
        if (rules === 'fresh') {
          for (const [path, article] of served) expect(datesOf(article), `${when}: ${path} after a full scan`).toEqual(datesOf(scanned.get(path)!));
          seen.fresh += served.size;
        } else if (rules) {
          for (const [path, article] of served) {
            const previous = rules.before.get(path);
            const record = rules.trusted.get(path);
            const now = want.known.get(path)!;
            if (!previous || !record) continue;
            if (record.hash === now.hash) {
              // Untouched or only touched: exactly the dates it had.
              expect(datesOf(article), `${when}: ${path} (${record.stamp === now.stamp ? 'untouched' : 'touched'}) keeps its dates`).toEqual(datesOf(previous));
              if (record.stamp === now.stamp) seen.kept += 1;
              else seen.touched += 1;
            } else {
              seen.edited += 1;
              expect(article.updatedAt.getTime(), `${when}: ${path} (edited) updatedAt >= publishedAt`).toBeGreaterThanOrEqual(article.publishedAt.getTime());
              // Dated by its first sighting both times (no front-matter or file-name date): kept.
              if (previous.publishedAt.getTime() === record.firstSeenAt && article.publishedAt.getTime() === now.firstSeenAt) {
                expect(article.publishedAt, `${when}: ${path} (edited) keeps publishedAt`).toEqual(previous.publishedAt);
              }
            }
          }
        }
        // The same through the app: /feed.json equals the one an app over the model's articles serves.
        const oracle = createMemoryStore();
        for (const article of want.articles.values()) oracle.put(article);
        for (const [path, reason] of want.rejected) oracle.reject(path, reason);
        const app = createApp({ store: oracle, ...appSettingsOf(resolveConfig(env)) });
        const feed = async (request: Promise<Response> | Response) => ((await (await request).json()) as { items: unknown[] }).items;
        expect(await feed(wirefeed.app.request('/feed.json?limit=500')), `${when}: /feed.json`).toEqual(await feed(app.request('/feed.json?limit=500')));
      }
    });

    let failure: unknown;
    try {
      await fc.assert(property, { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true, ...REPLAY });
    } catch (error) {
      failure = error;
    }
    await recordFigures('restart-state', {
      title: 'Restart with the state: changes while stopped, damaged journals',
      command: `${SOAK ? 'SOAK=1 ' : ''}npx vitest run --project node tests/reliability/restart-state.test.ts (replay a failure: FC_SEED=… FC_PATH=…)`,
      rows: {
        'runs (shrink runs included)': seen.runs,
        restarts: seen.restarts,
        'changes while stopped': seen.ops,
        'journals damaged (full scan / records kept)': `${seen.damaged} (${seen.fullScans} / ${seen.partial})`,
        'files checked: untouched / touched / edited, with a trusted record': `${seen.kept} / ${seen.touched} / ${seen.edited}`,
        'files checked against a fresh scan after a full scan': seen.fresh,
        'wall time (s)': ((performance.now() - started) / 1000).toFixed(1),
      },
      note:
        'Random adds, edits, renames, deletes and touches of a real folder while a real server is stopped, and sometimes its journal ' +
        'cut at a random byte or one byte changed; after each restart every article must equal a fresh scan but for dates, which must ' +
        'follow the rules from what the server knew (all of it, what survived a cut, or nothing after a full scan), also through /feed.json.',
    });
    if (failure) throw failure;
  }, TIME_LIMIT_MS + 60_000);
});

/** Carries out one change on the stopped server's folder; returns what it did. */
async function applyStoppedOp(dir: string, op: StoppedOp, write: (path: string, content: Content) => Promise<void>, nextMtime: () => number): Promise<string> {
  if (op.kind === 'add') {
    await write(op.path, op.content);
    return `add ${op.path} (${op.content.kind})`;
  }
  const files = await articleFiles(dir);
  const path = files[op.pick % Math.max(1, files.length)];
  if (path === undefined) return `(nothing to ${op.kind})`;
  const file = join(dir, ...path.split('/'));
  switch (op.kind) {
    case 'edit':
      await write(path, op.content);
      return `edit ${path} (${op.content.kind})`;
    case 'rename': {
      if (op.to === path) return `(rename ${path} onto itself skipped)`;
      const target = join(dir, ...op.to.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await rename(file, target);
      return `rename ${path} -> ${op.to} (mtime kept)`;
    }
    case 'delete':
      await rm(file);
      return `delete ${path}`;
    case 'touch': {
      const when = nextMtime() / 1000;
      await utimes(file, when, when);
      return `touch ${path} (mtime ${(await stat(file)).mtimeMs})`;
    }
  }
}

async function servedArticles(server: Wirefeed): Promise<Map<string, Article>> {
  const page = await server.store.list({ limit: Number.MAX_SAFE_INTEGER });
  return new Map(page.items.map(({ article }) => [article.path, article]));
}

function sortedPaths(articles: ReadonlyMap<string, unknown>): string[] {
  return [...articles.keys()].sort();
}

function withoutDates(article: Article) {
  const { publishedAt: _p, updatedAt: _u, ...rest } = toStoredArticle(article);
  return rest;
}

function datesOf(article: Article): { publishedAt: string; updatedAt: string } {
  return { publishedAt: article.publishedAt.toISOString(), updatedAt: article.updatedAt.toISOString() };
}
