// The read pool, in-process and on real worker threads (which run the same loop in file-worker.ts).
import { realpath, utimes } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ParseOptions } from '../../../src/article/types.ts';
import { createReadPool } from '../../../src/node/intake/read-pool.ts';
import { makeTempDir, txtArticle } from '../../helpers/temp-dir.ts';

const PARSE: ParseOptions = { baseUrl: 'http://localhost:8787', idAuthority: 'localhost', defaultSection: 'General', maxBytes: 1024 * 1024 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createReadPool', () => {
  // Found while looking into a half-written read (settle.test.ts): a batch took the time once,
  // before its first read; a file written while the batch was read had an mtime after that time,
  // which the settle rule takes for clock skew, so it was read at once, maybe half-written. Each
  // file is now judged by the clock read after its own stat.
  it('holds back a file modified after the batch began, as the settle rule says', async () => {
    const temp = await makeTempDir();
    try {
      const old = await temp.write('old.txt', txtArticle('World', 'Old'));
      await utimes(old, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      await temp.write('fresh.txt', txtArticle('World', 'Being written'));
      // The batch began ten seconds ago: only the first clock reading is that old.
      const real = Date.now.bind(Date);
      vi.spyOn(Date, 'now').mockImplementationOnce(() => real() - 10_000);
      const pool = createReadPool({ dir: await realpath(temp.dir), parseOptions: PARSE, settleMs: 300 }, 0);
      const outcomes = await pool.read(['old.txt', 'fresh.txt'], [undefined, undefined]);
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['read', 'young']);
    } finally {
      await temp.remove();
    }
  });

  it('gives the same outcomes on worker threads as in-process, in the order asked, and says nothing of a fallback', async () => {
    const temp = await makeTempDir();
    try {
      const hourAgo = new Date(Date.now() - 3_600_000);
      const paths: string[] = [];
      for (let i = 0; i < 40; i++) {
        const path = i % 10 === 9 ? `bad-${i}.txt` : `section-${i % 3}/story-${i}.txt`;
        const file = await temp.write(path, i % 10 === 9 ? '' : txtArticle('World', `Story ${i} “quoted” & <b>`, `Body ${i} 🎉.`));
        await utimes(file, hourAgo, hourAgo);
        paths.push(path);
      }
      paths.push('missing.txt');
      const options = { dir: await realpath(temp.dir), parseOptions: PARSE, settleMs: 300 };
      const inline = await createReadPool(options, 0).read(paths, paths.map(() => undefined));
      const lines: string[] = [];
      const threads = createReadPool(options, 2, (line) => lines.push(line));
      try {
        expect(threads.mode).toBe('2 reader threads');
        const halves = await Promise.all([threads.read(paths.slice(0, 20), Array(20).fill(undefined)), threads.read(paths.slice(20), Array(21).fill(undefined))]);
        const threaded = halves.flat();
        // The first-seen time is the clock's when the file's mtime is in its future; neither is here.
        expect(threaded.map((outcome) => ({ ...outcome, line: undefined }))).toEqual(inline.map((outcome) => ({ ...outcome, line: undefined })));
        const parsed = threaded.map((outcome) => (outcome.kind === 'read' ? outcome.record.result.ok : outcome.kind));
        expect(parsed).toEqual([...paths.slice(0, 40).map((path) => !path.startsWith('bad')), 'gone']);
        expect(lines).toEqual([]);
      } finally {
        await threads.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
