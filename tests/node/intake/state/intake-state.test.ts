// The intake's persisted index, on real files in a temp folder: round trips, damaged journals,
// compaction, a real SIGKILL mid-write, unusable folders and the lock.
import { spawn } from 'node:child_process';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromStoredArticle, JOURNAL_FILE, openState, toStoredArticle, type OpenedState, type StateOptions } from '../../../../src/node/intake/state/intake-state.ts';
import { isFileRecord } from '../../../../src/node/intake/state/article-record.ts';
import { makeTempDir, type TempDir } from '../../../helpers/temp-dir.ts';
import { waitFor } from '../../../helpers/wait.ts';
import { encodeLine, makeHeader } from '../../../../src/node/intake/state/journal-line.ts';
import { opAt, recordsAfter } from './child-plan.ts';
import { makeArticle, makeRecord } from './records.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHILD = join(import.meta.dirname, 'child.ts');

const temps: TempDir[] = [];
const opened: OpenedState[] = [];

afterEach(async () => {
  for (const { state } of opened.splice(0)) await state.close();
  for (const temp of temps.splice(0)) await temp.remove();
});

async function tempDir(): Promise<TempDir> {
  const temp = await makeTempDir('wirefeed-state-');
  temps.push(temp);
  return temp;
}

/** Opens the state in `dir` with a fixed fingerprint, collecting log lines. */
async function open(dir: string, extra: Partial<StateOptions> = {}): Promise<OpenedState & { lines: string[] }> {
  const lines: string[] = [];
  const result = await openState({ dir, fingerprint: { parser: 1, BASE_URL: 'https://example.com' }, log: (line) => lines.push(line), ...extra });
  opened.push(result);
  return { ...result, lines };
}

/** Writes `count` records (then closes), returning the state folder's journal path. */
async function journalWith(dir: string, count: number): Promise<string> {
  const { state } = await open(dir);
  for (let n = 0; n < count; n++) state.set(makeRecord(n));
  await state.close();
  return join(dir, JOURNAL_FILE);
}

function flipBits(bytes: Buffer, at: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
}

describe('toStoredArticle / fromStoredArticle', () => {
  it('round-trips an article with every optional field and awkward text exactly', () => {
    const article = makeArticle();
    const back = fromStoredArticle(JSON.parse(JSON.stringify(toStoredArticle(article))), 'hash');
    // Everything but the body, which the journal does not keep; the record's hash names the version.
    const { html: _html, summary: _summary, ...meta } = article;
    expect(back).toEqual({ ...meta, contentHash: 'hash' });
    expect(back.publishedAt).toBeInstanceOf(Date);
  });

  it('leaves absent optional fields absent', () => {
    const { image: _image, attribution: _attribution, ...rest } = makeArticle({ authors: [{ name: 'Only a name' }] });
    const back = fromStoredArticle(toStoredArticle(rest), 'hash');
    expect('image' in back).toBe(false);
    expect('attribution' in back).toBe(false);
    expect(back.authors[0]).toStrictEqual({ name: 'Only a name' });
  });
});

describe('isFileRecord', () => {
  const withAttribution = (attribution: unknown) => {
    const record = JSON.parse(JSON.stringify(makeRecord(0))) as { result: { article: Record<string, unknown> } };
    record.result.article.attribution = attribution;
    return record;
  };

  it('accepts a record whose attribution holds known keys with text, and refuses any other shape', () => {
    expect(isFileRecord(makeRecord(0))).toBe(true);
    expect(isFileRecord(withAttribution({ source: 'Wikinews', license: 'CC BY 2.5' }))).toBe(true);
    expect(isFileRecord(withAttribution('Wikinews'))).toBe(false);
    expect(isFileRecord(withAttribution({ source: 1 }))).toBe(false);
    expect(isFileRecord(withAttribution({ sorce: 'typo' }))).toBe(false);
  });

  it('accepts an article of each format and refuses any other format name', () => {
    const withFormat = (format: unknown) => {
      const record = JSON.parse(JSON.stringify(makeRecord(0))) as { result: { article: Record<string, unknown> } };
      record.result.article.format = format;
      return record;
    };
    expect(isFileRecord(withFormat('txt'))).toBe(true);
    expect(isFileRecord(withFormat('md'))).toBe(true);
    expect(isFileRecord(withFormat('markdown'))).toBe(false);
    expect(isFileRecord(withFormat(undefined))).toBe(false);
  });
});

describe('openState', () => {
  it('starts new in a missing folder, then loads what was set and deleted', async () => {
    const temp = await tempDir();
    const dir = join(temp.dir, 'a', 'b', 'state');
    const first = await open(dir);
    expect(first.status).toBe('new');
    expect(first.lines).toHaveLength(1);
    const records = [0, 1, 2, 3].map((n) => makeRecord(n));
    for (const record of records) first.state.set(record);
    first.state.delete(records[1]!.path);
    first.state.set({ ...records[2]!, hash: 'changed' });
    await first.state.close();

    const second = await open(dir);
    expect(second.status).toBe('loaded');
    expect(second.lines).toEqual([]);
    expect([...second.state.records.values()]).toEqual([records[0], { ...records[2]!, hash: 'changed' }, records[3]]);
    const stored = second.state.records.get(records[0]!.path)!.result;
    const { html: _html, summary: _summary, ...meta } = makeArticle({ path: records[0]!.path, title: 'Title 0', publishedAt: new Date(1_700_000_000_000) });
    expect(stored.ok && fromStoredArticle(stored.article, 'h')).toEqual({ ...meta, contentHash: 'h' });
  });

  it('keeps appending to a loaded journal instead of rewriting it', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 5);
    const before = await readFile(file);
    const { state } = await open(temp.dir);
    state.set(makeRecord(5));
    await state.flush();
    const after = await readFile(file);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('reads back records longer than its 4 MB read chunks, multi-byte text across the seams', async () => {
    const temp = await tempDir();
    const { state } = await open(temp.dir);
    const big = makeRecord(1, { htmlBytes: 9_000_000 });
    const records = [makeRecord(0), big, makeRecord(2, { htmlBytes: 5_000_000 }), makeRecord(3)];
    for (const record of records) state.set(record);
    await state.close();
    const again = await open(temp.dir);
    expect(again.status).toBe('loaded');
    expect([...again.state.records.values()]).toEqual(records);
  });

  it('says mismatch and starts empty when the fingerprint differs, ignoring key order', async () => {
    const temp = await tempDir();
    await journalWith(temp.dir, 3);
    const reordered = await open(temp.dir, { fingerprint: { BASE_URL: 'https://example.com', parser: 1 } });
    expect(reordered.status).toBe('loaded');
    await reordered.state.close();

    const changed = await open(temp.dir, { fingerprint: { parser: 2, BASE_URL: 'https://example.com' } });
    expect(changed.status).toBe('mismatch');
    expect(changed.state.records.size).toBe(0);
    expect(changed.lines).toEqual([changed.reason]);
    expect(changed.reason).toContain('parser');
  });

  it('drops a torn last line with one log line, loads the rest and appends after it', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 4);
    await truncate(file, (await stat(file)).size - 7);
    const torn = await open(temp.dir);
    expect(torn.status).toBe('loaded');
    expect(torn.state.records.size).toBe(3);
    expect(torn.lines).toHaveLength(1);
    expect(torn.lines[0]).toContain('unfinished last line');
    torn.state.set(makeRecord(9));
    await torn.state.close();

    const again = await open(temp.dir);
    expect(again.status).toBe('loaded');
    expect(again.lines).toEqual([]);
    expect([...again.state.records.keys()]).toEqual([0, 1, 2, 9].map((n) => makeRecord(n).path));
  });

  it('drops a last line whose checksum is wrong', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 3);
    const bytes = await readFile(file);
    flipBits(bytes, bytes.length - 5, 0x01);
    await writeFile(file, bytes);
    const result = await open(temp.dir);
    expect(result.status).toBe('loaded');
    expect(result.state.records.size).toBe(2);
    expect(result.lines[0]).toContain('bad checksum');
  });

  it('says corrupt for a damaged byte in the middle, and the next flush starts a fresh journal', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 10);
    const bytes = await readFile(file);
    flipBits(bytes, Math.floor(bytes.length / 2), 0x20);
    await writeFile(file, bytes);
    const corrupt = await open(temp.dir);
    expect(corrupt.status).toBe('corrupt');
    expect(corrupt.state.records.size).toBe(0);
    expect(corrupt.lines).toEqual([corrupt.reason]);
    expect(corrupt.reason).toMatch(/line \d+ is damaged/);
    corrupt.state.set(makeRecord(42));
    await corrupt.state.close();

    const fresh = await open(temp.dir);
    expect(fresh.status).toBe('loaded');
    expect([...fresh.state.records.values()]).toEqual([makeRecord(42)]);
  });

  it.each([
    ['garbage', Buffer.from([0xff, 0x00, 0x13, 0x0a, 0x41, 0x42, 0x0a, 0x43])],
    ['an empty file', Buffer.alloc(0)],
    ['a torn header', Buffer.from('1234abcd {"format":"wirefeed-state","vers')],
  ])('says corrupt for %s', async (_name, content) => {
    const temp = await tempDir();
    await temp.write(JOURNAL_FILE, content);
    const result = await open(temp.dir);
    expect(result.status).toBe('corrupt');
    expect(result.state.records.size).toBe(0);
    expect(result.lines).toHaveLength(1);
  });

  it('says mismatch for another format version', async () => {
    const temp = await tempDir();
    await temp.write(JOURNAL_FILE, encodeLine({ ...makeHeader({ parser: 1, BASE_URL: 'https://example.com' }), version: 99 }));
    const result = await open(temp.dir);
    expect(result.status).toBe('mismatch');
    expect(result.reason).toContain('format version 99');
  });

  it('says corrupt for record lines without a header', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 3);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(text.indexOf('\n') + 1));
    const result = await open(temp.dir);
    expect(result.status).toBe('corrupt');
    expect(result.reason).toContain('no header');
  });

  it('loads a journal holding only the header as an empty, trustworthy state', async () => {
    const temp = await tempDir();
    const { state } = await open(temp.dir);
    await state.close();
    const result = await open(temp.dir);
    expect(result.status).toBe('loaded');
    expect(result.state.records.size).toBe(0);
  });
});

/** Record lines in a journal (header excluded). */
async function lineCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').length - 2;
}

describe('compaction', () => {
  it('rewrites a bloated journal at open time, keeping exactly the live records', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 0);
    // Appended to a loaded journal: one line per change.
    const writer = await open(temp.dir, { compactFloor: 1_000_000 });
    for (let n = 0; n < 200; n++) writer.state.set(makeRecord(n, { paths: 20 }));
    for (let n = 0; n < 5; n++) writer.state.delete(makeRecord(n, { paths: 20 }).path);
    const live = new Map(writer.state.records);
    await writer.state.close();
    const bloated = await stat(file);
    expect(await lineCount(file)).toBe(205);

    const reopened = await open(temp.dir, { compactFloor: 10 });
    expect(reopened.status).toBe('loaded');
    await reopened.state.close();
    expect(await lineCount(file)).toBe(15);
    expect((await stat(file)).size).toBeLessThan(bloated.size / 5);
    const after = await open(temp.dir);
    expect(after.status).toBe('loaded');
    expect(new Map(after.state.records)).toEqual(live);
  });

  it('keeps changes made while a compaction runs, and a flush meanwhile reaches the disk', async () => {
    const temp = await tempDir();
    const file = await journalWith(temp.dir, 0);
    const writer = await open(temp.dir, { compactFloor: 1_000_000 });
    for (let n = 0; n < 3000; n++) writer.state.set(makeRecord(n, { paths: 100, htmlBytes: 2000 }));
    await writer.state.close();

    const { state } = await open(temp.dir, { compactFloor: 10 });
    // The open-time compaction has taken its snapshot and is writing it out now.
    state.set(makeRecord(5000));
    state.delete(makeRecord(1).path);
    await state.flush();
    expect(await readFile(file, 'utf8')).toContain('"hash":"h5000"');
    state.set(makeRecord(5001));
    const live = new Map(state.records);
    await state.close();
    expect(await lineCount(file)).toBe(100 + 3);
    const after = await open(temp.dir);
    expect(new Map(after.state.records)).toEqual(live);
  });

  it('compacts in the background while changes keep arriving, losing none', async () => {
    const temp = await tempDir();
    const file = join(temp.dir, JOURNAL_FILE);
    const { state } = await open(temp.dir, { compactFloor: 50, batchRecords: 10 });
    for (let n = 0; n < 2000; n++) {
      state.set(makeRecord(n, { paths: 30 }));
      if (n % 100 === 0) await state.flush();
      if (n % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const live = new Map(state.records);
    await state.close();
    // Far fewer than the 2,000 lines written: compactions ran. How many lines arrived during the
    // last one depends on how fast the disk and the machine are (229 seen under a loaded CI run).
    expect(await lineCount(file)).toBeLessThan(1000);
    const after = await open(temp.dir);
    expect(after.status).toBe('loaded');
    expect(new Map(after.state.records)).toEqual(live);
  });
});

describe('a state folder that cannot be used', () => {
  it('keeps the index in memory when the folder cannot be created (a path under a file)', async () => {
    const temp = await tempDir();
    await temp.write('file', 'not a folder');
    const dir = join(temp.dir, 'file', 'state');
    const result = await open(dir);
    expect(result.status).toBe('new');
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toContain(dir);
    expect(result.lines[0]).toContain('ENOTDIR');
    result.state.set(makeRecord(1));
    expect(result.state.records.size).toBe(1);
    await result.state.flush();
    await result.state.close();
  });

  it('logs one line and goes on in memory when a later write fails', async () => {
    const temp = await tempDir();
    // A folder where the fresh journal's temp file would go: opening it for writing fails.
    await temp.write(`${JOURNAL_FILE}.tmp/blocker`, 'x');
    const result = await open(temp.dir);
    expect(result.status).toBe('new');
    for (let n = 0; n < 3; n++) {
      result.state.set(makeRecord(n));
      await result.state.flush();
    }
    expect(result.lines.slice(1)).toHaveLength(1);
    expect(result.lines[1]).toMatch(/cannot write .*journal \(EISDIR\)/);
    expect(result.state.records.size).toBe(3);
  });
});

describe('the lock', () => {
  it('is not shared: a folder locked by a running process gives an in-memory state', async () => {
    const temp = await tempDir();
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await temp.write('lock', `${sleeper.pid}\n`);
      const result = await open(temp.dir);
      expect(result.status).toBe('new');
      expect(result.lines[0]).toContain(`locked by process ${sleeper.pid}`);
      result.state.set(makeRecord(1));
      await result.state.close();
      expect(await readFile(join(temp.dir, 'lock'), 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('is not taken twice within one process', async () => {
    const temp = await tempDir();
    const first = await open(temp.dir);
    const second = await open(temp.dir);
    expect(first.status).toBe('new');
    expect(second.lines[0]).toContain('locked by process');
  });

  it('is taken over from a process that is gone, and released on close', async () => {
    const temp = await tempDir();
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    await journalWith(temp.dir, 2);
    await temp.write('lock', `${gone.pid}\n`);
    const result = await open(temp.dir);
    expect(result.status).toBe('loaded');
    expect(await readFile(join(temp.dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    await result.state.close();
    await expect(stat(join(temp.dir, 'lock'))).rejects.toThrow(/ENOENT/);
  });
});

interface Writer {
  /** Operations the child has reported durable. */
  flushed: number;
  output: string[];
  exited: Promise<unknown>;
  kill(): void;
}

/** Starts the child that writes the operation sequence into `dir` (child.ts). */
function startWriter(dir: string): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const writer: Writer = { flushed: 0, output: [], exited: new Promise((resolve) => child.once('exit', resolve)), kill: () => child.kill('SIGKILL') };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const match = /^flushed (\d+)$/.exec(line);
      if (match) writer.flushed = Number(match[1]);
      else writer.output.push(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => writer.output.push(`! ${chunk.toString('utf8')}`));
  return writer;
}

describe('a SIGKILL in the middle of writing', () => {
  it('loses at most the changes not yet flushed, never the journal', async () => {
    const temp = await tempDir();
    const dir = join(temp.dir, 'state');
    const history: string[] = [];
    for (let round = 0; round < 6; round++) {
      const writer = startWriter(dir);
      try {
        await waitFor(() => writer.flushed > 0, { timeoutMs: 15_000, what: `the child's first flush:\n${writer.output.join('\n')}` });
        const delayMs = Math.floor(Math.random() * 400);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      } finally {
        writer.kill();
        await writer.exited;
      }
      const midRewrite = await stat(join(dir, `${JOURNAL_FILE}.tmp`)).then(() => ' (killed mid-rewrite)', () => '');
      const { state, status, lines } = await open(dir, { fingerprint: { test: 'sigkill' } });
      history.push(`round ${round}: flushed ${writer.flushed}${midRewrite}, ${status} ${lines.join(' | ')}`);
      expect(status, history.join('\n')).toBe('loaded');
      let sets = 0;
      for (const record of state.records.values()) sets = Math.max(sets, record.size + 1);
      // The last operation kept is set number `sets - 1`, or a delete right after it.
      const candidates = 'deleted' in opAt(sets) ? [sets, sets + 1] : [sets];
      const match = candidates.find((count) => isEqual(new Map(state.records), recordsAfter(count)));
      expect(match, history.join('\n')).toBeDefined();
      expect(match!, history.join('\n')).toBeGreaterThanOrEqual(writer.flushed);
      await state.close();
    }
  }, 120_000);
});

function isEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
