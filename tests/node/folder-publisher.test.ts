// createFolderPublisher over a real temp folder: atomic writes with the given mtime, nothing
// outside the folder (symlinks included), and files the server's watcher always sees.
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFolderPublisher } from '../../src/node/folder-publisher.ts';
import { startWirefeed } from '../../src/node/server/serve.ts';
import type { Publisher } from '../../src/publish/contract.ts';
import { PARSE_OPTIONS } from '../helpers/articles.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const MTIME = new Date('2025-05-06T07:08:09.123Z');
const bytes = (text: string) => new TextEncoder().encode(text);

let temp: TempDir;
let outside: TempDir;
let publisher: Publisher;

beforeEach(async () => {
  temp = await makeTempDir();
  outside = await makeTempDir('wirefeed-outside-');
  publisher = createFolderPublisher({ dir: temp.dir, parseOptions: PARSE_OPTIONS });
});

afterEach(async () => {
  await temp.remove();
  await outside.remove();
});

describe('createFolderPublisher', () => {
  it('replaces a file by rename (a new inode), with the given mtime and no temp file left', async () => {
    expect(await publisher.put('a/b/one.txt', bytes(txtArticle('World', 'One')), MTIME)).toEqual({ ok: true, change: 'created' });
    const file = join(temp.dir, 'a', 'b', 'one.txt');
    const before = await stat(file);
    expect(before.mtime.toISOString()).toBe(MTIME.toISOString());
    expect(await publisher.put('a/b/one.txt', bytes(txtArticle('World', 'One, again')), MTIME)).toEqual({ ok: true, change: 'updated' });
    const after = await stat(file);
    expect(after.ino).not.toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe(txtArticle('World', 'One, again'));
    expect(await readdir(join(temp.dir, 'a', 'b'))).toEqual(['one.txt']);
  });

  it('counts a file as unchanged only when both bytes and mtime match', async () => {
    const text = bytes(txtArticle('World', 'One'));
    await publisher.put('one.txt', text, MTIME);
    expect(await publisher.put('one.txt', text, MTIME)).toEqual({ ok: true, change: 'unchanged' });
    expect(await publisher.put('one.txt', text, new Date(MTIME.getTime() + 1000))).toEqual({ ok: true, change: 'updated' });
  });

  it('refuses a folder symlink that leads outside, for writes, deletes and the listing', async () => {
    await symlink(outside.dir, join(temp.dir, 'escape'));
    await outside.write('kept.txt', txtArticle('World', 'Kept'));
    const result = await publisher.put('escape/new.txt', bytes(txtArticle('World', 'New')), MTIME);
    expect(result).toEqual({ ok: false, status: 422, reason: 'a folder on the path leads outside the articles folder' });
    expect(await publisher.put('escape/deeper/new.txt', bytes(txtArticle('World', 'New')), MTIME)).toMatchObject({ ok: false, status: 422 });
    expect(await publisher.remove('escape/kept.txt')).toBe(false);
    expect(await readdir(outside.dir)).toEqual(['kept.txt']);
    expect(await publisher.list()).toEqual([]);
  });

  it('allows a folder symlink that stays inside', async () => {
    await mkdir(join(temp.dir, 'real'));
    await symlink(join(temp.dir, 'real'), join(temp.dir, 'alias'));
    expect(await publisher.put('alias/one.txt', bytes(txtArticle('World', 'One')), MTIME)).toEqual({ ok: true, change: 'created' });
    expect(await readdir(join(temp.dir, 'real'))).toEqual(['one.txt']);
  });

  it('replaces a symlinked file with a regular one, never writing through the link', async () => {
    const target = await outside.write('target.txt', 'outside content');
    await symlink(target, join(temp.dir, 'linked.txt'));
    expect(await publisher.put('linked.txt', bytes(txtArticle('World', 'Mine')), MTIME)).toEqual({ ok: true, change: 'updated' });
    expect(await readFile(target, 'utf8')).toBe('outside content');
    expect((await lstat(join(temp.dir, 'linked.txt'))).isSymbolicLink()).toBe(false);
  });

  it('refuses to put a file where a folder is', async () => {
    await mkdir(join(temp.dir, 'taken.txt'));
    expect(await publisher.put('taken.txt', bytes(txtArticle('World', 'One')), MTIME)).toEqual({ ok: false, status: 422, reason: 'a folder of that name exists' });
  });

  it('removes a file and the folders it leaves empty, never the articles folder itself', async () => {
    await publisher.put('a/b/one.txt', bytes(txtArticle('World', 'One')), MTIME);
    await publisher.put('a/two.txt', bytes(txtArticle('World', 'Two')), MTIME);
    expect(await publisher.remove('a/b/one.txt')).toBe(true);
    expect(await readdir(join(temp.dir, 'a'))).toEqual(['two.txt']);
    expect(await publisher.remove('a/two.txt')).toBe(true);
    expect(await readdir(temp.dir)).toEqual([]);
    expect(await publisher.remove('a/two.txt')).toBe(false);
  });

  it('lists article files only, and sees a file changed behind its back', async () => {
    await publisher.put('one.txt', bytes(txtArticle('World', 'One')), MTIME);
    await temp.write('.draft.txt', 'hidden');
    await temp.write('.git/x.txt', 'hidden');
    await temp.write('image.png', 'binary');
    const [first] = await publisher.list();
    expect(first).toMatchObject({ path: 'one.txt', mtime: MTIME.toISOString() });
    await writeFile(join(temp.dir, 'one.txt'), txtArticle('World', 'Edited on the server'));
    const [second] = await publisher.list();
    expect(second!.sha256).not.toBe(first!.sha256);
  });

  it('puts files into new folders that the running server always picks up', async () => {
    const token = 'publisher-test-token-1234';
    const server = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', PUBLISH_TOKEN: token, SETTLE_MS: '50' }, { log: () => {} });
    try {
      await server.intake.watching;
      const paths = ['a', 'b/c', 'b/c/d', 'e'].flatMap((folder) => [1, 2, 3].map((n) => `${folder}/file-${n}.txt`));
      const responses = await Promise.all(
        paths.map((path) =>
          server.app.request(`/api/articles/${path}`, {
            method: 'PUT',
            body: txtArticle('World', path),
            headers: { Authorization: `Bearer ${token}`, 'X-Wirefeed-Mtime': MTIME.toISOString() },
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(paths.map(() => 201));
      await waitFor(async () => (await server.store.status()).articles === paths.length, { timeoutMs: 5000, what: `${paths.length} articles` });
    } finally {
      await server.close();
    }
  });
});
