// The intake on a real temporary folder, with each watch engine: every change reaches the store by itself.
import { appendFile, mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../../src/article/types.ts';
import { chooseEngine } from '../../../src/node/intake/engine.ts';
import type { WatchEngine } from '../../../src/node/intake/engines/types.ts';
import { startIntake, type Intake } from '../../../src/node/intake/intake.ts';
import { createMemoryStore } from '../../../src/store/drivers/memory.ts';
import type { FeedStore } from '../../../src/store/types.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

const PARSE: ParseOptions = { baseUrl: 'http://localhost:8787', idAuthority: 'localhost', defaultSection: 'General', maxBytes: 1024 * 1024 };
const SETTLE_MS = 300;

let temp: TempDir;
let store: FeedStore;
let watcher: Intake | undefined;
let engineName: 'native' | 'chokidar' = 'native';
let lines: string[];

beforeEach(async () => {
  temp = await makeTempDir();
  store = createMemoryStore();
  lines = [];
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await temp.remove();
});

async function start(engine: WatchEngine = chooseEngine(engineName).engine): Promise<Intake> {
  watcher = startIntake({ dir: temp.dir, store, parseOptions: PARSE, settleMs: SETTLE_MS, engine, log: (line) => lines.push(line) });
  await watcher.ready;
  await watcher.watching;
  return watcher;
}

async function titles(section?: string): Promise<string[]> {
  const page = await store.list({ section, limit: 10_000 });
  return page.items.map((item) => item.article.title).sort();
}

/** The engine under test, adding to `reported` every path it reports changed or gone. */
function recordingEngine(reported: Set<string>): WatchEngine {
  const engine = chooseEngine(engineName).engine;
  return {
    name: engine.name,
    start: (dir, sink) =>
      engine.start(dir, {
        changed: (path) => {
          reported.add(path);
          sink.changed(path);
        },
        deleted: (path) => {
          reported.add(path);
          sink.deleted(path);
        },
        resync: (reason, quiet) => sink.resync(reason, quiet),
      }),
  };
}

/** Waits until the store shows `expected` titles; the watcher's promise is "within one second". */
async function expectTitlesSoon(expected: string[], timeoutMs = 1000) {
  const { ms } = await waitFor(async () => JSON.stringify(await titles()) === JSON.stringify([...expected].sort()), {
    timeoutMs,
    what: `titles ${JSON.stringify(expected)} (have ${JSON.stringify(await titles())})`,
  });
  return ms;
}

describe.each(['native', 'chokidar'] as const)('startIntake with the %s engine', (name) => {
  beforeEach(() => {
    engineName = name;
  });

  it('indexes the folder on start, nested folders included, skipping dotfiles and temp files', async () => {
    await temp.write('a.txt', txtArticle('Politics', 'Top level'));
    await temp.write('politics/deep/b.txt', txtArticle('Politics', 'Nested'));
    await temp.write('.hidden.txt', txtArticle('Politics', 'Hidden'));
    await temp.write('.git/c.txt', txtArticle('Politics', 'In a dot folder'));
    await temp.write('draft.txt~', txtArticle('Politics', 'Backup'));
    await temp.write('notes.docx', 'not an article');
    await start();
    expect(await titles()).toEqual(['Nested', 'Top level']);
    expect((await store.listSections()).map((s) => s.slug)).toEqual(['politics']);
    expect(lines).toEqual([]);
  });

  it('publishes a new file, an edit, an atomic replace and a delete within a second each', async () => {
    await start();
    await temp.write('news.txt', txtArticle('World', 'First'));
    await expectTitlesSoon(['First']);

    await temp.write('news.txt', txtArticle('World', 'Edited'));
    await expectTitlesSoon(['Edited']);

    await temp.write('.news.txt.tmp', txtArticle('World', 'Replaced atomically'));
    await rename(join(temp.dir, '.news.txt.tmp'), join(temp.dir, 'news.txt'));
    await expectTitlesSoon(['Replaced atomically']);

    await rename(join(temp.dir, 'news.txt'), join(temp.dir, 'renamed.txt'));
    await expectTitlesSoon(['Replaced atomically']);
    await waitFor(async () => (await store.get('renamed.txt')) && !(await store.get('news.txt')), { timeoutMs: 1000, what: 'rename' });

    await rm(join(temp.dir, 'renamed.txt'));
    await expectTitlesSoon([]);
    expect(lines.some((line) => line.startsWith('removed renamed.txt'))).toBe(true);
  });

  it('never publishes a half-written file whose writer pauses within the settle window', async () => {
    await start();
    const file = join(temp.dir, 'slow.txt');
    await writeFile(file, 'Science\n\nHalf a headline');
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.get('slow.txt')).toBeUndefined();
      await appendFile(file, ` part ${i}`);
    }
    await appendFile(file, '\n\nThe body.');
    await expectTitlesSoon(['Half a headline part 0 part 1 part 2 part 3']);
  });

  it('keeps good articles and the last good version when a file turns bad, and lists the reason', async () => {
    await temp.write('good.txt', txtArticle('Health', 'Good one'));
    await temp.write('fixable.txt', txtArticle('Health', 'Fixable'));
    await start();
    await temp.write('empty.txt', '');
    await temp.write('fixable.txt', '   \n');
    await waitFor(async () => (await store.status()).rejected.length === 2, { timeoutMs: 1000, what: 'two rejections' });
    const { rejected } = await store.status();
    expect(rejected.map((r) => r.path)).toEqual(['empty.txt', 'fixable.txt']);
    expect(rejected[0]!.reason).toMatch(/empty/);
    expect(await titles()).toEqual(['Fixable', 'Good one']);
    expect(lines.filter((line) => line.startsWith('rejected empty.txt'))).toHaveLength(1);

    await temp.write('fixable.txt', txtArticle('Health', 'Fixed'));
    await expectTitlesSoon(['Fixed', 'Good one']);
    expect((await store.status()).rejected.map((r) => r.path)).toEqual(['empty.txt']);
  });

  it('publishes every file of a 1,000-file burst', async () => {
    await start();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => temp.write(`burst/${String(i).padStart(4, '0')}.txt`, `Burst ${i}\n\nHeadline ${i}\n\nBody ${i}.`)),
    );
    await waitFor(async () => (await store.status()).articles === 1000, { timeoutMs: 20_000, what: '1000 articles' });
    expect((await store.list({ section: 'burst', limit: 2000 })).total).toBe(1000);
  });

  it('takes in files renamed into a folder the moment it is made', async () => {
    await start();
    // chokidar reads a new folder before it watches it; files landing in between must not be lost.
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const folder = join(temp.dir, `new-${i % 4}`, 'deep');
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, `.f${i}.tmp`), txtArticle('World', `Fresh ${i}`));
        await rename(join(folder, `.f${i}.tmp`), join(folder, `f${i}.txt`));
      }),
    );
    await waitFor(async () => (await store.status()).articles === 8, { timeoutMs: 3000, what: 'all eight files' });
  });

  it('keeps watching a folder renamed into a folder the moment it is made', async () => {
    // Only the engine's own reports count: the safety comparison beside it would take a moved
    // file out too, a second or two later, and so hide a folder that is not watched.
    const reported = new Set<string>();
    await start(recordingEngine(reported));
    // chokidar reads a new folder, then watches it: a folder renamed in between was never
    // watched, so a file later renamed out of it stayed published. Delays sweep the gap.
    const rounds = 12;
    for (let i = 0; i < rounds; i++) await temp.write(`staging-${i}/story.txt`, `Moved ${i}\n\nBody.\n`);
    await waitFor(async () => (await store.status()).articles === rounds, { timeoutMs: 3000, what: 'the staged files' });
    await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        await mkdir(join(temp.dir, `outer-${i}`));
        await new Promise((resolve) => setTimeout(resolve, i));
        await rename(join(temp.dir, `staging-${i}`), join(temp.dir, `outer-${i}`, 'inside'));
      }),
    );
    const folders = Array.from({ length: rounds }, (_, i) => `outer-${i}/inside`);
    const moved = folders.map((folder) => `${folder}/story.txt`);
    await waitFor(async () => (await Promise.all(moved.map((path) => store.get(path)))).every(Boolean), { timeoutMs: 3000, what: 'the moved files' });

    // Each moved folder is watched: a folder made in it is reported. Made again until it is, as
    // setting up a watch takes a moment; one that is never set up times out.
    let probe = 0;
    const unwatched = () => folders.filter((folder) => ![...reported].some((path) => path.startsWith(`${folder}/probe-`)));
    await waitFor(
      async () => {
        const waiting = unwatched();
        probe += 1;
        await Promise.all(waiting.map((folder) => mkdir(join(temp.dir, folder, `probe-${probe}`))));
        return waiting.length === 0;
      },
      { timeoutMs: 3000, intervalMs: 50, what: 'the engine to report a folder made in each moved folder' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; not watched: ${unwatched().join(', ')}`);
    });

    // Then every moved file leaves its folder, and the engine says so.
    reported.clear();
    await Promise.all(moved.map((path, i) => rename(join(temp.dir, path), join(temp.dir, `out-${i}.txt`))));
    const unreported = () => moved.filter((path) => !reported.has(path));
    await waitFor(() => unreported().length === 0, { timeoutMs: 3000, what: 'the engine to report every moved file' }).catch((error: Error) => {
      throw new Error(`${error.message}; not reported: ${unreported().join(', ')}`);
    });
    const stillThere = async () => (await Promise.all(moved.map(async (path) => ((await store.get(path)) ? path : '')))).filter(Boolean);
    await waitFor(async () => (await stillThere()).length === 0, { timeoutMs: 3000, what: 'the moved files gone from their folders' }).catch(async (error: Error) => {
      throw new Error(`${error.message}; still there: ${(await stillThere()).join(', ')}`);
    });
    await waitFor(async () => (await store.status()).articles === rounds, { timeoutMs: 3000, what: 'the files at their new paths' });
    expect((await Promise.all(moved.map((_, i) => store.get(`out-${i}.txt`)))).every(Boolean)).toBe(true);
  });

  it('does not publish a file that is being written while the initial scan reads the folder', async () => {
    // Half a file, modified just now: the scan must wait until it has been still for the settle window.
    await temp.write('old.txt', txtArticle('World', 'Old and complete'));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(temp.dir, 'old.txt'), old, old);
    await temp.write('growing.txt', 'World\n\nHalf a head');
    const puts: string[] = [];
    const put = store.put.bind(store);
    store.put = (article) => {
      puts.push(article.title);
      return put(article);
    };
    watcher = startIntake({ dir: temp.dir, store, parseOptions: PARSE, settleMs: SETTLE_MS, engine: chooseEngine(engineName).engine, log: (line) => lines.push(line) });
    // The writer goes on while the scan runs, pausing less than the settle window.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS / 3));
    await appendFile(join(temp.dir, 'growing.txt'), 'line, then the rest\n\nBody.\n');
    await watcher.ready;
    await expectTitlesSoon(['Old and complete', 'Half a headline, then the rest'], 3000);
    await watcher.idle();
    expect(puts).not.toContain('Half a head');
  });

  it('removes the articles of a deleted folder', async () => {
    await temp.write('sports/one.txt', 'First headline\n\nBody.');
    await temp.write('sports/two.txt', 'Second headline\n\nBody.');
    await start();
    expect(await titles('sports')).toEqual(['First headline', 'Second headline']);
    await rm(join(temp.dir, 'sports'), { recursive: true });
    await expectTitlesSoon([]);
  });

  it('rejects a symlink that points outside the folder', async () => {
    const outside = await makeTempDir();
    try {
      await outside.write('secret.txt', txtArticle('Secrets', 'Outside'));
      await symlink(join(outside.dir, 'secret.txt'), join(temp.dir, 'link.txt'));
      await start();
      expect(await titles()).toEqual([]);
      expect((await store.status()).rejected).toEqual([{ path: 'link.txt', reason: 'symlink points outside the articles folder' }]);
    } finally {
      await outside.remove();
    }
  });
});
