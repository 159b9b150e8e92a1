// Bulk publishing inside workerd: `POST /api/articles` over the D1 publisher and store in a real
// local D1 database, through app.request. Every line's outcome, the caps, a cut-off upload, the
// paged listing, and the same dates and kept items as single PUTs.
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../src/article/types.ts';
import { createApp } from '../../src/http/app.ts';
import type { SiteConfig } from '../../src/site/config.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { createD1Publisher } from '../../src/workers/d1-publisher.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import { emptyDatabase } from './d1.ts';

const TOKEN = 'test-token-0123456789abcdef';
const SITE: SiteConfig = { baseUrl: 'https://feeds.example.com', title: 'Test', language: 'en', idAuthority: 'feeds.example.com' };
const PARSE_OPTIONS: ParseOptions = { baseUrl: SITE.baseUrl, idAuthority: 'feeds.example.com', defaultSection: 'General', maxBytes: 4096 };
const MTIME = '2025-03-01T12:00:00.000Z';

const markdown = (title: string) => `---\ntitle: ${title}\ndate: 2025-02-01T09:00:00Z\n---\n\nThe body of ${title}.\n`;
const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const file = (path: string, text = markdown(path), mtime = MTIME) => line({ path, mtime, text });

describe('bulk publishing on D1', () => {
  let db: D1Database;
  let store: FeedStore;
  let app: ReturnType<typeof createApp>;

  beforeEach(async () => {
    db = await emptyDatabase();
    store = createD1Store(db, { now: () => new Date('2025-06-01T00:00:00Z') });
    const publisher = createD1Publisher(db, store, PARSE_OPTIONS, { site: SITE, now: () => new Date('2025-06-01T00:00:00Z') });
    app = createApp({
      store,
      site: SITE,
      feedLimit: 50,
      publish: { token: TOKEN, publisher, maxBytes: 4096, log: () => {}, bulk: { maxBytes: 256 * 1024, maxFiles: 200 } },
    });
  });

  async function post(body: string | ReadableStream<Uint8Array>, token: string | null = TOKEN) {
    const headers = new Headers({ 'Content-Type': 'application/x-ndjson' });
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    const response = await app.request('/api/articles', { method: 'POST', body, headers, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit);
    return { status: response.status, json: (await response.json()) as { results: Record<string, unknown>[]; truncated: boolean } };
  }

  async function list(query = '') {
    const response = await app.request(`/api/articles${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    return (await response.json()) as { files: { path: string; sha256: string }[]; next?: string | null };
  }

  it('creates, keeps, updates and deletes in D1 batches, with per-line outcomes', async () => {
    // More files than one D1 batch takes (50), so the request spans several.
    const paths = Array.from({ length: 120 }, (_, i) => `news/${String(i).padStart(3, '0')}.md`);
    const first = await post(paths.map((path) => file(path)).join(''));
    expect(first.status).toBe(200);
    expect(first.json.results.every((result) => result.change === 'created')).toBe(true);
    expect(first.json.results).toHaveLength(120);
    expect((await store.list({ section: 'news', limit: 200 })).total).toBe(120);
    const second = await post(file('news/000.md') + file('news/001.md', markdown('Changed')) + line({ path: 'news/002.md', delete: true }));
    expect(second.json.results).toEqual([
      { line: 1, path: 'news/000.md', change: 'unchanged' },
      { line: 2, path: 'news/001.md', change: 'updated' },
      { line: 3, path: 'news/002.md', change: 'deleted' },
    ]);
    expect((await store.get('news/001.md'))?.title).toBe('Changed');
    expect(await store.get('news/002.md')).toBeUndefined();
    // The items are rendered and kept as for a single PUT.
    const kept = await db.prepare(`SELECT COUNT(DISTINCT path) AS n FROM renditions`).first<{ n: number }>();
    expect(kept?.n).toBe(119);
  });

  it('dates articles as single PUTs do', async () => {
    await post(file('news/a.md'));
    const single = await app.request('/api/articles/news/b.md', {
      method: 'PUT',
      body: markdown('news/b.md'),
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Wirefeed-Mtime': MTIME },
    });
    expect(single.status).toBe(201);
    const a = await store.get('news/a.md');
    const b = await store.get('news/b.md');
    expect(a?.publishedAt).toEqual(b?.publishedAt);
    expect(a?.updatedAt).toEqual(b?.updatedAt);
  });

  it('refuses a bad file, an oversize one, a bad path and a duplicate path on their own lines', async () => {
    const response = await post(
      file('news/good.md') +
        file('news/untitled.md', '---\nsection: World\n---\n') +
        file('news/big.md', `---\ntitle: Big\n---\n\n${'x'.repeat(5000)}`) +
        file('../escape.md') +
        file('news/twice.md') +
        file('news/twice.md', markdown('Again')),
    );
    expect(response.json.results.map((result) => [result.line, result.change ?? result.status])).toEqual([
      [1, 'created'],
      [2, 422],
      [3, 413],
      [4, 400],
      [5, 400],
      [6, 400],
    ]);
    expect((await list()).files.map((entry) => entry.path)).toEqual(['news/good.md']);
  });

  it('answers 401 for a bad token and applies nothing', async () => {
    expect((await post(file('news/a.md'), 'wrong-token')).status).toBe(401);
    expect((await post(file('news/a.md'), null)).status).toBe(401);
    expect((await list()).files).toEqual([]);
  });

  it('keeps the whole lines of an upload cut off mid-way', async () => {
    const cut = await post(file('news/a.md') + file('news/b.md').slice(0, 25));
    expect(cut.json).toEqual({
      results: [
        { line: 1, path: 'news/a.md', change: 'created' },
        { line: 2, status: 400, error: 'line cut off (no "\\n" at its end): not applied' },
      ],
      truncated: true,
    });
    let pulls = 0;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(encoder.encode(file('news/c.md') + file('news/d.md').slice(0, 10)));
        else controller.error(new Error('connection reset'));
      },
    });
    const broken = await post(body);
    expect(broken.json.truncated).toBe(true);
    expect((await list()).files.map((entry) => entry.path)).toEqual(['news/a.md', 'news/c.md']);
  });

  it('lists in pages by path with a next cursor', async () => {
    await post(['b.md', 'a/1.md', 'a/2.md', 'c.md', 'a/10.md'].map((path) => file(path)).join(''));
    const seen: string[] = [];
    let page = await list('?limit=2');
    for (;;) {
      seen.push(...page.files.map((entry) => entry.path));
      if (!page.next) break;
      page = await list(`?limit=2&after=${encodeURIComponent(page.next)}`);
    }
    expect(seen).toEqual(['a/1.md', 'a/10.md', 'a/2.md', 'b.md', 'c.md']);
    expect((await list()).files.map((entry) => entry.path)).toEqual(seen);
  });
});
