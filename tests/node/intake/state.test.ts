// The intake's persisted index, on real files in a temp folder: round trips, damaged journals,
// compaction, a real SIGKILL mid-write, unusable folders and the lock.
import { spawn } from 'node:child_process';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromStoredArticle, JOURNAL_FILE, openState, toStoredArticle, type OpenedState, type StateOptions } from '../../../src/node/intake/state.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';
import { makeArticle, makeRecord } from './state-records.ts';

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

describe('toStoredArticle / fromStoredArticle', () => {
  it('round-trips an article with every optional field and awkward text exactly', () => {
    const article = makeArticle();
    const back = fromStoredArticle(JSON.parse(JSON.stringify(toStoredArticle(article))));
    expect(back).toEqual(article);
    expect(back.publishedAt).toBeInstanceOf(Date);
  });

  it('leaves absent optional fields absent', () => {
    const { image: _image, ...rest } = makeArticle({ authors: [{ name: 'Only a name' }] });
    const back = fromStoredArticle(toStoredArticle(rest));
    expect('image' in back).toBe(false);
    expect(back.authors[0]).toStrictEqual({ name: 'Only a name' });
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
    expect(stored.ok && fromStoredArticle(stored.article)).toEqual(makeArticle({ path: records[0]!.path, title: 'Title 0', html: expect.any(String), publishedAt: new Date(1_700_000_000_000) }));
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
    bytes[bytes.length - 5]! ^= 0x01;
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
    bytes[Math.floor(bytes.length / 2)]! ^= 0x20;
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
