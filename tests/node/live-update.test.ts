// End to end: a file written into the folder shows in the served feeds within a second,
// and Last-Modified moves forward on every change, a removal included.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { readFeed } from '../http/suite.ts';

let temp: TempDir;
let wirefeed: Wirefeed;

beforeEach(async () => {
  temp = await makeTempDir();
  await temp.write('old.txt', txtArticle('World', 'Old news'));
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1' }, { log: () => {} });
  await wirefeed.intake.watching;
});

afterEach(async () => {
  await wirefeed.close();
  await temp.remove();
});

const fetchFeed = (path: string, headers?: Record<string, string>) =>
  fetch(`http://127.0.0.1:${wirefeed.port}${path}`, { headers });

async function itemCount(path: string): Promise<number> {
  return readFeed(await (await fetchFeed(path)).text()).ids.length;
}

describe('the running service', () => {
  it('serves an added, edited, replaced and deleted file in every format within one second', async () => {
    const formats = ['/world/rss.xml', '/world/atom.xml', '/world/feed.json'];
    const served = async (text: string) => {
      const bodies = await Promise.all(formats.map(async (path) => (await fetchFeed(path)).text()));
      return bodies.every((body) => body.includes(text));
    };
    await temp.write('new.txt', txtArticle('World', 'Breaking headline'));
    await waitFor(() => served('Breaking headline'), { timeoutMs: 1000, what: 'the new article' });

    await temp.write('new.txt', txtArticle('World', 'Corrected headline'));
    await waitFor(() => served('Corrected headline'), { timeoutMs: 1000, what: 'the edit' });

    await temp.write('.new.txt.swp', txtArticle('World', 'Atomic headline'));
    await rename(join(temp.dir, '.new.txt.swp'), join(temp.dir, 'new.txt'));
    await waitFor(() => served('Atomic headline'), { timeoutMs: 1000, what: 'the atomic replace' });

    await rm(join(temp.dir, 'new.txt'));
    await waitFor(async () => (await itemCount('/world/rss.xml')) === 1, { timeoutMs: 1000, what: 'the removal' });
  });

  it('moves Last-Modified forward when an article is removed, and 304s the old validators no more', async () => {
    await temp.write('new.txt', txtArticle('World', 'Newer news'));
    await waitFor(async () => (await itemCount('/world/atom.xml')) === 2, { timeoutMs: 1000 });
    const before = await fetchFeed('/world/atom.xml');
    const lastModified = before.headers.get('last-modified')!;
    const etag = before.headers.get('etag')!;

    await rm(join(temp.dir, 'new.txt'));
    await waitFor(async () => (await itemCount('/world/atom.xml')) === 1, { timeoutMs: 1000 });
    const after = await fetchFeed('/world/atom.xml');
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
    expect(after.headers.get('etag')).not.toBe(etag);
    expect((await fetchFeed('/world/atom.xml', { 'If-Modified-Since': lastModified })).status).toBe(200);
    expect((await fetchFeed('/world/atom.xml', { 'If-None-Match': etag })).status).toBe(200);
  });

  it('serves the same bytes and validators while nothing changes', async () => {
    const first = await fetchFeed('/rss.xml');
    const second = await fetchFeed('/rss.xml');
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('last-modified')).toBe(first.headers.get('last-modified'));
  });
});
