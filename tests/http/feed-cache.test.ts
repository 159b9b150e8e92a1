// Feed documents assembled from items rendered once per article version (item-cache.ts), over a
// real memory store and the real renderers.
import { describe, expect, it } from 'vitest';
import { ByteLru, contentBytes, createContentCache } from '../../src/http/content-cache.ts';
import { resolveConfig } from '../../src/site/config.ts';
import { createFeedCache, type FeedQuery } from '../../src/http/feed-cache.ts';
import { renderRenditions } from '../../src/http/item-cache.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import type { FeedStore, Rendition } from '../../src/store/types.ts';
import { day, makeArticle } from '../store/fixtures.ts';

const site = resolveConfig({ BASE_URL: 'https://news.example.com' }).site;
const query = (format: FeedQuery['format'], section?: string): FeedQuery => ({ format, section, page: 1, limit: 50, explicitLimit: false });
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A memory store whose content() calls are counted. */
function countingStore() {
  const store = createMemoryStore({ now: () => day(60) });
  const asked: string[] = [];
  const counted: FeedStore = Object.assign(Object.create(store) as FeedStore, {
    content(path: string) {
      asked.push(path);
      return store.content(path);
    },
  });
  return { store, counted, asked };
}

function fill(store: FeedStore, count: number): void {
  for (let i = 0; i < count; i++) {
    void store.put(makeArticle({ path: `news/a${i}.md`, id: `tag:x,2024:a${i}`, title: `Story ${i}`, html: `<p>Body ${i} &amp; more.</p>`, publishedAt: day(1 + (i % 28)) }));
  }
}

describe('createFeedCache', () => {
  it('renders each item once per version: a new article costs one item, not fifty', async () => {
    const { store, counted, asked } = countingStore();
    fill(store, 60);
    const feeds = createFeedCache({ store: counted, site });
    for (const format of ['rss', 'atom', 'json'] as const) await feeds.get(query(format, 'news'));
    expect(new Set(asked).size).toBe(50);
    asked.length = 0;
    store.put(makeArticle({ path: 'news/new.md', id: 'tag:x,2024:new', title: 'Breaking', publishedAt: day(30) }));
    const documents = await Promise.all((['rss', 'atom', 'json'] as const).map((format) => feeds.get(query(format, 'news'))));
    expect(asked).toEqual(['news/new.md']);
    for (const document of documents) expect(decode(document!.body)).toContain('Breaking');
  });

  it('serves exactly the bytes a whole render of the same items gives, and an ETag that follows them', async () => {
    const { store } = countingStore();
    fill(store, 3);
    const feeds = createFeedCache({ store, site });
    const first = (await feeds.get(query('rss', 'news')))!;
    const text = decode(first.body);
    expect(text.startsWith('<?xml')).toBe(true);
    expect(text.match(/<item>/g)).toHaveLength(3);
    // Nothing changed: the same document object, the same tag.
    expect(await feeds.get(query('rss', 'news'))).toBe(first);
    store.put(makeArticle({ path: 'news/a1.md', id: 'tag:x,2024:a1', title: 'Story 1 corrected', html: '<p>Body 1 &amp; more.</p>', publishedAt: day(2) }));
    const second = (await feeds.get(query('rss', 'news')))!;
    expect(second.etag).not.toBe(first.etag);
    expect(decode(second.body)).toContain('Story 1 corrected');
    // An edit made and undone gives the first bytes back, and with them the first tag.
    store.put(makeArticle({ path: 'news/a1.md', id: 'tag:x,2024:a1', title: 'Story 1', html: '<p>Body 1 &amp; more.</p>', publishedAt: day(2) }));
    const third = (await feeds.get(query('rss', 'news')))!;
    expect(decode(third.body)).toBe(text);
    expect(third.etag).toBe(first.etag);
  });

  it('falls back to summaries over the byte budget, with every item kept', async () => {
    const { store } = countingStore();
    for (let i = 0; i < 20; i++) {
      store.put(makeArticle({ path: `news/big${i}.md`, id: `tag:x,2024:big${i}`, summary: `Summary ${i}.`, html: `<p>${'x'.repeat(2000)}</p>`, publishedAt: day(1 + i) }));
    }
    const feeds = createFeedCache({ store, site, maxBytes: 20_000 });
    for (const format of ['rss', 'atom', 'json'] as const) {
      const document = (await feeds.get(query(format, 'news')))!;
      expect(document.summariesOnly).toBe(true);
      expect(document.body.byteLength).toBeLessThanOrEqual(20_000);
      const text = decode(document.body);
      expect(text).not.toContain('x'.repeat(100));
      for (let i = 0; i < 20; i++) expect(text).toContain(`Summary ${i}.`);
    }
  });

  it("keeps a tag's and an author's feed to the same byte budget, and re-renders them when their articles change", async () => {
    const { store } = countingStore();
    for (let i = 0; i < 20; i++) {
      store.put(makeArticle({ path: `news/big${i}.md`, id: `tag:x,2024:big${i}`, summary: `Summary ${i}.`, html: `<p>${'x'.repeat(2000)}</p>`, tags: ['Heavy'], publishedAt: day(1 + i) }));
    }
    const feeds = createFeedCache({ store, site, maxBytes: 20_000 });
    for (const scope of [{ tag: 'heavy' }, { author: 'ada-reporter' }]) {
      for (const format of ['rss', 'atom', 'json'] as const) {
        const document = (await feeds.get({ ...query(format), ...scope }))!;
        expect(document.summariesOnly).toBe(true);
        expect(document.body.byteLength).toBeLessThanOrEqual(20_000);
        for (let i = 0; i < 20; i++) expect(decode(document.body)).toContain(`Summary ${i}.`);
      }
    }
    const before = (await feeds.get({ ...query('atom'), tag: 'heavy' }))!;
    expect(await feeds.get({ ...query('atom'), tag: 'heavy' })).toBe(before);
    store.put(makeArticle({ path: 'sport/new.md', id: 'tag:x,2024:new', title: 'Newly heavy', summary: 'New.', tags: ['heavy'], publishedAt: day(25) }));
    const after = (await feeds.get({ ...query('atom'), tag: 'heavy' }))!;
    expect(after.etag).not.toBe(before.etag);
    expect(decode(after.body)).toContain('Newly heavy');
    expect(await feeds.get({ ...query('atom'), tag: 'nothing' })).toBeUndefined();
  });

  it('assembles from renditions the driver kept when their key matches, and renders the rest', async () => {
    const { store, counted, asked } = countingStore();
    fill(store, 4);
    const kept = new Map<string, Map<string, Rendition>>();
    for (const listed of store.list({ limit: 10 }).items) {
      for (const { kind, ...rendition } of renderRenditions(site, listed, store.content(listed.article.path) as never)) {
        const byPath = kept.get(kind) ?? new Map<string, Rendition>();
        // One stale rendition: rendered for another slug, so its key no longer matches.
        byPath.set(listed.article.path, listed.article.path === 'news/a2.md' ? { ...rendition, key: 'stale', markup: 'STALE' } : rendition);
        kept.set(kind, byPath);
      }
    }
    const withRenditions: FeedStore = Object.assign(Object.create(counted) as FeedStore, {
      renditions: (paths: string[], kind: string) => Promise.resolve(new Map([...(kept.get(kind) ?? [])].filter(([path]) => paths.includes(path)))),
    });
    const fromRenditions = createFeedCache({ store: withRenditions, site });
    const rendered = createFeedCache({ store, site });
    for (const format of ['rss', 'atom', 'json'] as const) {
      const a = (await fromRenditions.get(query(format, 'news')))!;
      const b = (await rendered.get(query(format, 'news')))!;
      expect(decode(a.body)).toBe(decode(b.body));
      expect(a.etag).toBe(b.etag);
    }
    expect(new Set(asked)).toEqual(new Set(['news/a2.md']));
  });
});

describe('createContentCache', () => {
  it('keeps contents by version and drops the least recently used past its byte budget', async () => {
    const { store, counted, asked } = countingStore();
    fill(store, 3);
    const [a, b, c] = store.list({ limit: 3 }).items;
    const size = contentBytes((await store.content(a!.article.path))!);
    // Room for two (the fixtures' contents differ by a digit at most).
    const cache = createContentCache(counted, 2 * size + 10);
    await cache.content(a!);
    await cache.content(b!);
    await cache.content(a!);
    expect(asked).toHaveLength(2);
    await cache.content(c!);
    await cache.content(a!);
    await cache.content(b!);
    expect(asked.slice(2)).toEqual([c!.article.path, b!.article.path]);
  });

  it('ByteLru never holds more than its budget and refuses an entry larger than all of it', () => {
    const lru = new ByteLru<string>(100);
    lru.set('a', 'a', 40);
    lru.set('b', 'b', 40);
    lru.set('c', 'c', 40);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([undefined, 'b', 'c']);
    expect(lru.bytes).toBe(80);
    lru.set('huge', 'h', 101);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.bytes).toBe(80);
  });
});

describe('ByteLru owners', () => {
  it('drops the entries of an older version of a path when one of a newer version arrives', () => {
    const lru = new ByteLru<string>(10_000);
    lru.set('content-a1', 'x', 10, { path: 'a', version: '1' });
    lru.set('item-a1-rss', 'x', 10, { path: 'a', version: '1' });
    lru.set('content-b1', 'x', 10, { path: 'b', version: '1' });
    lru.set('doc', 'x', 10);
    expect(lru.bytes).toBe(40);
    lru.set('content-a2', 'x', 10, { path: 'a', version: '2' });
    expect([lru.get('content-a1'), lru.get('item-a1-rss')]).toEqual([undefined, undefined]);
    expect([lru.get('content-a2'), lru.get('content-b1'), lru.get('doc')]).toEqual(['x', 'x', 'x']);
    expect(lru.bytes).toBe(30);
  });

  it('keeps a feed cache from filling with dead versions while one article is edited again and again', async () => {
    const { store } = countingStore();
    fill(store, 5);
    const content = createContentCache(store, 64 * 1024 * 1024);
    const feeds = createFeedCache({ store, site, content });
    await feeds.get(query('rss', 'news'));
    const settled = content.lru.bytes;
    for (let i = 0; i < 50; i++) {
      store.put(makeArticle({ path: 'news/a1.md', id: 'tag:x,2024:a1', title: `Edit ${i}`, html: `<p>${'y'.repeat(2000)} ${i}</p>`, publishedAt: day(2) }));
      await feeds.get(query('rss', 'news'));
    }
    // One live version of the edited article (its content and its part) in place of the first.
    expect(content.lru.bytes).toBeLessThan(settled + 3 * 2 * 2100);
  });
});

describe('the cache and removed articles', () => {
  it('forgets what it kept for an article the store unpublishes', async () => {
    let content: ReturnType<typeof createContentCache> | undefined;
    const store = createMemoryStore({ now: () => day(60), onUnpublished: (path) => content?.forget(path) });
    content = createContentCache(store);
    fill(store, 3);
    const feeds = createFeedCache({ store, site, content });
    await feeds.get(query('rss', 'news'));
    const [first] = store.list({ section: 'news', limit: 1 }).items;
    const before = content.lru.bytes;
    store.remove(first!.article.path);
    expect(content.lru.bytes).toBeLessThan(before);
    expect(content.lru.peek(`content\u0000${first!.article.path}\u0000${first!.version}`)).toBeUndefined();
  });
});
