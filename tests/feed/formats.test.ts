// The format registry is the one list every reader of formats goes by: each registered format is
// served at its file under every feed route with its content type, linked from pages, pinged to
// hubs, and its item kinds keep the names stored in D1 and the Node state journal.
import { describe, expect, it } from 'vitest';
import { FEED_FORMATS, FORMAT_DEFINITIONS } from '../../src/feed/formats.ts';
import { createApp } from '../../src/http/app.ts';
import { ITEM_KINDS, kindName } from '../../src/http/item-cache.ts';
import { topicsFor } from '../../src/publish/websub.ts';
import { resolveConfig } from '../../src/site/config.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { day, makeArticle } from '../store/fixtures.ts';

const site = resolveConfig({ BASE_URL: 'https://news.example.com' }).site;

function makeApp() {
  const store = createMemoryStore({ now: () => day(60) });
  store.put(makeArticle({ path: 'news/launch.md', tags: ['world'], authors: [{ name: 'Ada Reporter' }] }));
  return createApp({ store, site, feedLimit: 50 });
}

describe('the format registry', () => {
  it('names each format by its key, with a file name and a content type of its own', () => {
    for (const format of FEED_FORMATS) expect(FORMAT_DEFINITIONS[format].name).toBe(format);
    const files = FEED_FORMATS.map((format) => FORMAT_DEFINITIONS[format].file);
    const types = FEED_FORMATS.map((format) => FORMAT_DEFINITIONS[format].contentType);
    expect(new Set(files).size).toBe(FEED_FORMATS.length);
    expect(new Set(types).size).toBe(FEED_FORMATS.length);
    expect(Object.keys(FORMAT_DEFINITIONS)).toEqual([...FEED_FORMATS]);
  });

  it('keeps the stored item kind names of the first three formats', () => {
    const first = ITEM_KINDS.filter((kind) => ['rss', 'atom', 'json'].includes(kind.format));
    expect(first.map(kindName)).toEqual(['rss:full:dc', 'rss:summary', 'atom:full', 'atom:summary', 'json:full', 'json:summary']);
  });

  it('gives every format two item kinds, a full one and a summary one', () => {
    for (const format of FEED_FORMATS) {
      expect(ITEM_KINDS.filter((kind) => kind.format === format).map((kind) => kind.mode)).toEqual(['full', 'summary']);
    }
  });

  it.each(FEED_FORMATS)('%s: is served with its content type at the combined, section, tag and author feeds', async (format) => {
    const app = makeApp();
    const { file, contentType } = FORMAT_DEFINITIONS[format];
    for (const path of [`/${file}`, `/news/${file}`, `/tags/world/${file}`, `/authors/ada-reporter/${file}`]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(contentType);
      expect(await response.text(), path).toContain('About launch');
    }
  });

  it.each(FEED_FORMATS)('%s: is linked from pages and pinged to hubs', async (format) => {
    const { file, contentType, label } = FORMAT_DEFINITIONS[format];
    const page = await (await makeApp().request('/news/')).text();
    expect(page).toContain(`<link rel="alternate" type="${contentType.split(';')[0]}" title="News | ${site.title} (${label})" href="https://news.example.com/news/${file}">`);
    expect(topicsFor(site, ['news'])).toEqual(expect.arrayContaining([`https://news.example.com/news/${file}`, `https://news.example.com/${file}`]));
  });
});
