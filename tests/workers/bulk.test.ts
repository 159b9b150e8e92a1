// Bulk publishing inside workerd: `POST /api/articles` over the D1 publisher and store in a real
// local D1 database, through app.request. The shared cases (tests/publish/bulk-suite.ts: every
// line's outcome, the caps, a cut-off upload, the paged listing), then what only D1 has: a batch
// spanning D1 batches, with its items kept, and the same dates as single PUTs.
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../src/article/types.ts';
import { createApp } from '../../src/http/app.ts';
import type { SiteConfig } from '../../src/site/config.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { createD1Publisher } from '../../src/workers/d1-publisher.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import { line, post, runBulkSuite, type BulkTarget, type BulkTargetOptions } from '../publish/bulk-suite.ts';
import { MAX_BYTES, MTIME, TOKEN } from '../publish/fixtures.ts';
import { emptyDatabase } from './d1.ts';

const SITE: SiteConfig = { baseUrl: 'https://feeds.example.com', title: 'Test', language: 'en', idAuthority: 'feeds.example.com' };
const PARSE_OPTIONS: ParseOptions = { baseUrl: SITE.baseUrl, idAuthority: 'feeds.example.com', defaultSection: 'General', maxBytes: MAX_BYTES };
const NOW = new Date('2025-06-01T00:00:00Z');

/** The app over the D1 publisher and store in an emptied local D1 database, as a bulk target. */
async function makeD1Target({ baseUrl = SITE.baseUrl, bulk }: BulkTargetOptions): Promise<BulkTarget & { db: D1Database; store: FeedStore }> {
  const db = await emptyDatabase();
  const site = { ...SITE, baseUrl };
  const store = createD1Store(db, { now: () => NOW });
  const publisher = createD1Publisher(db, store, PARSE_OPTIONS, { site, now: () => NOW });
  const logs: string[] = [];
  const app = createApp({ store, site, feedLimit: 50, publish: { token: TOKEN, publisher, maxBytes: MAX_BYTES, log: (text) => logs.push(text), bulk } });
  const listed = async () => new Map((await publisher.list()).map((entry) => [entry.path, entry]));
  return {
    db,
    store,
    request: async (path, init) => app.request(path, init),
    stored: async () => [...(await listed()).keys()].sort(),
    folders: false,
    async file(path) {
      const entry = (await listed()).get(path);
      if (!entry) throw new Error(`no file ${path} in D1`);
      return { sha256: entry.sha256, mtime: entry.mtime };
    },
    logs,
    close: async () => {},
  };
}

runBulkSuite('bulk publishing on D1', makeD1Target);

describe('bulk publishing on D1, what only D1 has', () => {
  const markdown = (title: string) => `---\ntitle: ${title}\ndate: 2025-02-01T09:00:00Z\n---\n\nThe body of ${title}.\n`;
  const file = (path: string, text = markdown(path)) => line({ path, mtime: MTIME, text });
  let target: Awaited<ReturnType<typeof makeD1Target>>;

  beforeEach(async () => {
    target = await makeD1Target({ bulk: { maxBytes: 256 * 1024, maxFiles: 200 } });
  });

  it('creates, keeps, updates and deletes in D1 batches, with per-line outcomes', async () => {
    const { db, store } = target;
    // More files than one D1 batch takes (50), so the request spans several.
    const paths = Array.from({ length: 120 }, (_, i) => `news/${String(i).padStart(3, '0')}.md`);
    const first = await post(target, paths.map((path) => file(path)).join(''));
    expect(first.status).toBe(200);
    expect(first.json().results.every((result: { change?: string }) => result.change === 'created')).toBe(true);
    expect(first.json().results).toHaveLength(120);
    expect((await store.list({ section: 'news', limit: 200 })).total).toBe(120);
    const second = await post(target, file('news/000.md') + file('news/001.md', markdown('Changed')) + line({ path: 'news/002.md', delete: true }));
    expect(second.json().results).toEqual([
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
    const { store } = target;
    await post(target, file('news/a.md'));
    const single = await target.request('/api/articles/news/b.md', {
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
});
