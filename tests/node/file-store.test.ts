// The lean Node store over a real folder: bodies are read from the files, through the app.
import { realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig } from '../../src/site/config.ts';
import { createFileStore } from '../../src/node/file-store.ts';
import { createIndexer } from '../../src/node/intake/indexer.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';

const config = resolveConfig({ BASE_URL: 'https://news.example.com' });
const parseOptions = parseOptionsOf(config);
let temp: TempDir;
let dir: string;

beforeEach(async () => {
  temp = await makeTempDir();
  dir = await realpath(temp.dir);
});
afterEach(() => temp.remove());

async function indexed(onStale?: (path: string) => void) {
  const store = createFileStore({ dir, parseOptions, onStale });
  const indexer = createIndexer({ dir, store, parseOptions, log: () => {} });
  const app = createApp({ store, ...appSettingsOf(config) });
  return { store, indexer, app };
}

describe('createFileStore', () => {
  it('keeps no body in memory and serves pages and feeds with the body read from the file', async () => {
    await temp.write('world/rain.txt', txtArticle('World', 'Rain & <wind>', 'First paragraph.', 'Second paragraph with a body word.'));
    const { store, indexer, app } = await indexed();
    await indexer.update('world/rain.txt');
    expect(JSON.stringify(store.get('world/rain.txt'))).not.toContain('body word');
    expect(JSON.stringify(store.get('world/rain.txt'))).not.toContain('First paragraph');
    expect(store.get('world/rain.txt')?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.content('world/rain.txt'))?.html).toContain('Second paragraph with a body word.');
    const page = await (await app.request('/world/rain')).text();
    expect(page).toContain('Second paragraph with a body word.');
    const feed = (await (await app.request('/world/feed.json')).json()) as { items: { content_html?: string; title: string }[] };
    expect(feed.items[0]).toMatchObject({ title: 'Rain & <wind>' });
    expect(feed.items[0]!.content_html).toContain('body word');
  });

  it('tells when a file no longer matches what the store holds, and serves the newer body meanwhile', async () => {
    await temp.write('world/rain.txt', txtArticle('World', 'Rain', 'Old body.'));
    const stale: string[] = [];
    const { store, indexer } = await indexed((path) => stale.push(path));
    await indexer.update('world/rain.txt');
    await writeFile(join(dir, 'world/rain.txt'), txtArticle('World', 'Rain', 'New body.'));
    expect((await store.content('world/rain.txt'))?.html).toContain('New body.');
    expect(stale).toEqual(['world/rain.txt']);
    await indexer.update('world/rain.txt');
    stale.length = 0;
    expect((await store.content('world/rain.txt'))?.html).toContain('New body.');
    expect(stale).toEqual([]);
  });

  it('serves the article without its text when the file is gone, broken or a symlink out of the folder, never a 500', async () => {
    await temp.write('world/rain.txt', txtArticle('World', 'Rain', 'The summary paragraph.', 'The rest of the body.'));
    const { store, indexer, app } = await indexed();
    await indexer.update('world/rain.txt');
    await rm(join(dir, 'world/rain.txt'));
    expect(await store.content('world/rain.txt')).toBeUndefined();
    const page = await app.request('/world/rain');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('cannot be read right now');
    expect(html).not.toContain('The rest of the body.');
    const feed = (await (await app.request('/world/feed.json')).json()) as { items: { content_text?: string; content_html?: string }[] };
    expect(feed.items[0]).toMatchObject({ content_text: 'Rain' });

    const outside = await makeTempDir();
    try {
      await outside.write('secret.txt', txtArticle('World', 'Rain', 'Secret body.'));
      await symlink(join(outside.dir, 'secret.txt'), join(dir, 'world/rain.txt'));
      expect(await store.content('world/rain.txt')).toBeUndefined();
      await rm(join(dir, 'world/rain.txt'));
      await writeFile(join(dir, 'world/rain.txt'), Buffer.from([0xef, 0xbb, 0xbf, 0, 0, 0]));
      expect(await store.content('world/rain.txt')).toBeUndefined();
    } finally {
      await outside.remove();
    }
  });
});
