// The Worker entry (src/workers/index.ts) bundled by wrangler and run in workerd with a local
// D1 database, fed through the publish API the way `wirefeed publish` feeds it. The shared
// HTTP suite runs against it, and its feeds are compared with the Node server's byte for byte.
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_KINDS, kindName } from '../../src/http/item-cache.ts';
import { FIXTURE_FILES, FIXTURE_TITLE, makeNodeTarget, runHttpSuite, type FixtureFile, type Target } from '../http/suite.ts';
import { waitFor } from '../helpers/wait.ts';
import { runTaxonomySuite } from '../http/taxonomy-suite.ts';
import { startWorker } from './start-worker.ts';

const TOKEN = 'test-token-0123456789abcdef';
/** wrangler.toml's database_id: the name of the local database under the persist folder. */
const DATABASE_ID = '00000000-0000-0000-0000-000000000000';

interface WorkerTarget extends Target {
  /** Runs a read-only query on the Worker's local D1 database, as `wrangler d1 execute --local` does. */
  query<T>(sql: string): Promise<T[]>;
}

/** Starts the Worker with an empty local D1 and publishes `files` into it through the API. */
async function makeWorkerTarget(files: FixtureFile[], siteTitle: string, vars: Record<string, string> = {}): Promise<WorkerTarget> {
  const { origin, persist, close } = await startWorker({ PUBLISH_TOKEN: TOKEN, SITE_TITLE: siteTitle, ...vars });
  const request = (path: string, init?: RequestInit) => fetch(`${origin}${path}`, init);
  for (const file of files) {
    const response = await request(`/api/articles/${file.path}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Wirefeed-Mtime': file.mtime.toISOString() },
      body: file.content,
    });
    // A file the parser refuses is a 422 and stored nowhere; everything else is accepted.
    if (file.content.trim() === '') expect(response.status, file.path).toBe(422);
    else expect(response.status, `${file.path}: ${await response.clone().text()}`).toBe(201);
  }
  return {
    baseUrl: vars.BASE_URL ?? origin,
    listsRejectedFiles: false,
    request,
    async query<T>(sql: string): Promise<T[]> {
      const mf = new Miniflare({ modules: true, script: '', cf: false, d1Persist: join(persist, 'v3', 'd1'), d1Databases: { DB: DATABASE_ID } });
      try {
        const db = await mf.getD1Database('DB');
        return (await db.prepare(sql).all<T>()).results;
      } finally {
        await mf.dispose();
      }
    },
    close,
  };
}

runHttpSuite('the Worker in workerd over D1', (files, title) => makeWorkerTarget(files, title));
runTaxonomySuite('tag and author feeds from the Worker over D1', (files, title) => makeWorkerTarget(files, title));

describe('the Worker beside the Node server', () => {
  const BASE_URL = 'http://feeds.test';
  const DOCUMENTS = ['/rss.xml', '/atom.xml', '/feed.json', '/politics/rss.xml', '/politics/atom.xml', '/politics/feed.json', '/sports/atom.xml', '/status/feed.json', '/feeds.opml', '/', '/politics/'];
  let worker: WorkerTarget;
  let node: Target;

  beforeAll(async () => {
    [worker, node] = await Promise.all([
      makeWorkerTarget(FIXTURE_FILES, FIXTURE_TITLE, { BASE_URL }),
      // The publish API on too, so that later uploads go to both the same way.
      makeNodeTarget(FIXTURE_FILES, FIXTURE_TITLE, 'server', { BASE_URL, PUBLISH_TOKEN: TOKEN }),
    ]);
  }, 90_000);

  /** Expects the Worker and the Node server to serve the same bytes (and feed ETags) at every one of DOCUMENTS. */
  async function expectSameDocuments(): Promise<void> {
    for (const path of DOCUMENTS) {
      // Compare the identity documents: workerd and Node each handle compression their own way.
      const init = { headers: { 'Accept-Encoding': 'identity' } };
      const [fromWorker, fromNode] = await Promise.all([worker.request(path, init), node.request(path, init)]);
      expect(fromWorker.status, path).toBe(200);
      expect(await fromWorker.text(), path).toBe(await fromNode.text());
      expect(fromWorker.headers.get('content-type'), path).toBe(fromNode.headers.get('content-type'));
      if (path.endsWith('.xml') || path.endsWith('.json')) expect(fromWorker.headers.get('etag'), path).toBe(fromNode.headers.get('etag'));
    }
  }

  /** The kinds of item markup the Worker keeps, by path. */
  async function keptKinds(): Promise<Record<string, string[]>> {
    const rows = await worker.query<{ path: string; kind: string }>('SELECT path, kind FROM renditions ORDER BY path, kind');
    const kinds: Record<string, string[]> = {};
    for (const { path, kind } of rows) (kinds[path] ??= []).push(kind);
    return kinds;
  }

  afterAll(async () => {
    await Promise.all([worker?.close(), node?.close()]);
  });

  it('serves byte-identical feeds and pages for the same files: same ids, dates, links and ETags', async () => {
    await expectSameDocuments();
  });

  it('refuses the publish API without the token, with a wrong one, and for paths outside the folder', async () => {
    const put = (path: string, token?: string) =>
      worker.request(`/api/articles/${path}`, { method: 'PUT', headers: token ? { Authorization: `Bearer ${token}` } : {}, body: 'World\n\nTitle\n\nBody.' });
    expect((await put('x.txt')).status).toBe(401);
    expect((await put('x.txt', 'wrong-token-0123456789abcd')).status).toBe(401);
    expect((await put('notes.docx', TOKEN)).status).toBe(400);
    expect((await put('%2e%2e%2fescape.txt', TOKEN)).status).toBe(400);
    const listed = (await (await worker.request('/api/articles', { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { files: { path: string }[] };
    expect(listed.files.map((f) => f.path)).toEqual(['match.txt', 'status.txt', 'talks.txt', 'vote.txt']);
  });

  it('keeps every kind of item markup of what it publishes, and serves what Node serves after more uploads', async () => {
    const kinds = ITEM_KINDS.map(kindName).sort();
    expect(await keptKinds()).toEqual({ 'match.txt': kinds, 'status.txt': kinds, 'talks.txt': kinds, 'vote.txt': kinds });
    // The markup kept is the markup served.
    const [kept] = await worker.query<{ markup: string }>(`SELECT markup FROM renditions WHERE path = 'match.txt' AND kind = 'atom:full'`);
    expect(kept?.markup).toContain('Home side wins');
    expect(await (await worker.request('/sports/atom.xml')).text()).toContain(kept!.markup);

    // Two uploads spelling the section POLITICS rename it: what talks.txt and vote.txt kept is
    // for "Politics" now, so the Worker must render them again, as Node does.
    const auth = { Authorization: `Bearer ${TOKEN}`, 'X-Wirefeed-Mtime': '2025-03-20T08:00:00.000Z' };
    for (const name of ['2025-03-20-recount.txt', '2025-03-21-result.txt']) {
      const body = `POLITICS\n\nUpload ${name}\n\nA paragraph & <more>.\n`;
      for (const target of [worker, node]) {
        const response = await target.request(`/api/articles/politics/${name}`, { method: 'PUT', headers: auth, body });
        expect(response.status, `${name}: ${await response.clone().text()}`).toBe(201);
      }
    }
    // Node publishes what lands in its folder when the watcher has seen it.
    await waitFor(async () => ((await (await node.request('/status')).json()) as { articles: number }).articles === 6, { timeoutMs: 20_000, what: 'Node to publish the uploads' });
    await expectSameDocuments();
    expect(await (await worker.request('/politics/rss.xml')).text()).not.toContain('>Politics</category>');
    expect(Object.keys(await keptKinds())).toEqual(['match.txt', 'politics/2025-03-20-recount.txt', 'politics/2025-03-21-result.txt', 'status.txt', 'talks.txt', 'vote.txt']);
  });

  it('removes an article on DELETE and moves the feed on, and keeps two concurrent publishes into one section', async () => {
    const before = await worker.request('/politics/atom.xml');
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await worker.request('/api/articles/vote.txt', { method: 'DELETE', headers: auth })).status).toBe(204);
    const after = await worker.request('/politics/atom.xml');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThanOrEqual(Date.parse(before.headers.get('last-modified')!));
    expect(await after.text()).not.toContain('Vote');
    expect((await worker.request('/politics/atom.xml', { headers: { 'If-None-Match': before.headers.get('etag')! } })).status).toBe(200);

    const results = await Promise.all(
      Array.from({ length: 2 }, (_, i) =>
        worker.request(`/api/articles/politics/concurrent-${i}.txt`, { method: 'PUT', headers: auth, body: `Concurrent headline ${i}\n\nBody.` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    const body = await (await worker.request('/politics/feed.json')).text();
    expect(body).toContain('Concurrent headline 0');
    expect(body).toContain('Concurrent headline 1');
    const etag = (await worker.request('/politics/feed.json')).headers.get('etag')!;
    expect((await worker.request('/politics/feed.json', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });
});

describe('the Worker on a route under a path', () => {
  const BASE_URL = 'http://feeds.test/news';
  let worker: WorkerTarget;

  beforeAll(async () => {
    worker = await makeWorkerTarget(FIXTURE_FILES, FIXTURE_TITLE, { BASE_URL });
  }, 90_000);

  afterAll(async () => {
    await worker?.close();
  });

  it('answers the prefixed URLs a route like example.com/news/* passes through, and redirects within the prefix', async () => {
    const page = await worker.request('/news/politics/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`href="${BASE_URL}/politics/rss.xml"`);
    const feed = await (await worker.request('/news/politics/rss.xml')).text();
    expect(feed).toContain(`<atom:link href="${BASE_URL}/politics/rss.xml" rel="self"`);
    const section = await worker.request('/news/politics', { redirect: 'manual' });
    expect(section.status).toBe(301);
    expect(section.headers.get('Location')).toBe('/news/politics/');
    const paged = await worker.request('/news/rss.xml?page=1', { redirect: 'manual' });
    expect(paged.headers.get('Location')).toBe('/news/rss.xml');
    const listed = await worker.request('/news/api/articles', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(listed.status).toBe(200);
  });
});
