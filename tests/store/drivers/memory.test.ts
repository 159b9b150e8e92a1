import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../../../src/store/drivers/memory.ts';
import { runDriverContract } from '../driver-contract.ts';
import { day, makeArticle } from '../fixtures.ts';

runDriverContract('memory', ({ now }) => createMemoryStore({ now }));

describe('createMemoryStore', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers synchronously', () => {
    const store = createMemoryStore();
    expect(store.put(makeArticle())).toEqual({ ok: true, change: 'added' });
    expect(store.revision()).toBe(1);
  });

  it('hands out frozen articles, so callers cannot corrupt the index', () => {
    const store = createMemoryStore();
    store.put(makeArticle());
    const article = store.get('news/launch.md') as ReturnType<typeof makeArticle>;
    expect(Object.isFrozen(article)).toBe(true);
    expect(Object.isFrozen(article.tags)).toBe(true);
    expect(Object.isFrozen(article.authors[0])).toBe(true);
  });

  it('stamps status().updatedAt with the injected clock', () => {
    let now = day(10);
    const store = createMemoryStore({ now: () => now });
    store.put(makeArticle());
    expect(store.status().updatedAt).toEqual(day(10));
    now = day(11);
    store.put(makeArticle());
    store.reject('news/other.md', 'bad');
    expect(store.status().updatedAt).toEqual(day(10));
    store.remove('news/launch.md');
    expect(store.status().updatedAt).toEqual(day(11));
  });

  it('keeps 100,000 articles in order and changes one without sorting again', () => {
    const minute = (n: number): Date => new Date(Date.UTC(2024, 0, 1) + n * 60_000);
    const store = createMemoryStore();
    const total = 100_000;
    // Arrival order is scrambled (37,813 is coprime with 100,000), as a folder scan might be.
    for (let i = 0; i < total; i++) {
      const n = (i * 37_813) % total;
      store.put(
        makeArticle({
          path: `${n % 2 ? 'news' : 'sport'}/${String(n).padStart(6, '0')}.md`,
          publishedAt: minute(Math.floor(n / 3)),
        }),
      );
    }
    const sort = vi.spyOn(Array.prototype, 'sort');
    const middle = makeArticle({ path: 'news/middle.md', publishedAt: minute(16_666) });
    expect(store.put(middle)).toEqual({ ok: true, change: 'added' });
    const moved = { ...middle, publishedAt: minute(200_000) };
    expect(store.put(moved)).toEqual({ ok: true, change: 'updated' });
    expect(store.remove('sport/050000.md')).toBe(true);
    expect(sort).not.toHaveBeenCalled();
    sort.mockRestore();

    const all = store.list({ limit: total + 1 });
    expect(all.total).toBe(total);
    expect(all.items[0]?.article.path).toBe('news/middle.md');
    const misplaced = all.items.findIndex((item, i) => {
      const next = all.items[i + 1]?.article;
      if (next === undefined) return false;
      const { publishedAt, path } = item.article;
      const tie = publishedAt.getTime() === next.publishedAt.getTime();
      return publishedAt < next.publishedAt || (tie && path > next.path);
    });
    expect(misplaced).toBe(-1);
    expect(store.list({ section: 'news', limit: 0 }).total).toBe(total / 2 + 1);
    expect(store.list({ section: 'sport', limit: 0 }).total).toBe(total / 2 - 1);
  });
});

describe('createMemoryStore with a body loader (the lean store)', () => {
  it('keeps no body: content() asks the loader with the article as published, every time', async () => {
    const asked: string[] = [];
    const store = createMemoryStore({ loadContent: (article) => (asked.push(`${article.path}@${article.contentHash}`), { html: `<p>${article.title}</p>`, summary: 'S' }) });
    store.put(makeArticle({ contentHash: 'h1', html: '<p>Dropped.</p>' }));
    expect(await store.content('news/launch.md')).toEqual({ html: '<p>About launch</p>', summary: 'S' });
    expect(await store.content('news/launch.md')).toEqual({ html: '<p>About launch</p>', summary: 'S' });
    expect(await store.content('news/missing.md')).toBeUndefined();
    expect(asked).toEqual(['news/launch.md@h1', 'news/launch.md@h1']);
    expect(JSON.stringify(store.get('news/launch.md'))).not.toContain('Dropped');
  });

  it('calls a put unchanged only when the content hash is the same (the old body is not at hand)', () => {
    const store = createMemoryStore({ loadContent: () => undefined });
    expect(store.put(makeArticle({ contentHash: 'h1' })).ok).toBe(true);
    expect(store.put(makeArticle({ contentHash: 'h1', html: '<p>Other.</p>' }))).toEqual({ ok: true, change: 'unchanged' });
    expect(store.put(makeArticle({ contentHash: 'h2' }))).toEqual({ ok: true, change: 'updated' });
    // Without a hash nothing can tell the body is the same: every put is an update.
    const { contentHash: _h, ...unhashed } = makeArticle();
    expect(store.put(unhashed)).toEqual({ ok: true, change: 'updated' });
    expect(store.put(unhashed)).toEqual({ ok: true, change: 'updated' });
  });

  it('keeps no body in the waiting list or the schedule either', () => {
    const asked: string[] = [];
    const store = createMemoryStore({ now: () => day(5), loadContent: (article) => (asked.push(article.path), { html: 'loaded', summary: '' }) });
    store.put(makeArticle({ path: 'news/a.md', id: 'tag:x,2024:same', contentHash: 'a' }));
    expect(store.put(makeArticle({ path: 'news/b.md', id: 'tag:x,2024:same', contentHash: 'b', html: '<p>Waiting body.</p>' })).ok).toBe(false);
    store.remove('news/a.md');
    expect(store.get('news/b.md')?.path).toBe('news/b.md');
    expect(store.content('news/b.md')).toEqual({ html: 'loaded', summary: '' });
    expect(asked).toEqual(['news/b.md']);
  });
});
