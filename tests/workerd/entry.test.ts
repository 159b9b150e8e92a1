// The Worker entry (src/workers/index.ts) bundled by wrangler and run in workerd with a local
// D1 database, fed through the publish API the way `wirefeed publish` feeds it. The shared
// HTTP suite runs against it, and its feeds are compared with the Node server's byte for byte.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unstable_startWorker } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILES, FIXTURE_TITLE, makeNodeTarget, runHttpSuite, type FixtureFile, type Target } from '../http/suite.ts';

const TOKEN = 'test-token-0123456789abcdef';
const ROOT = join(import.meta.dirname, '..', '..');

/** Starts the Worker with an empty local D1 and publishes `files` into it through the API. */
async function makeWorkerTarget(files: FixtureFile[], siteTitle: string, vars: Record<string, string> = {}): Promise<Target> {
  const persist = await mkdtemp(join(tmpdir(), 'wirefeed-d1-'));
  const worker = await withTimeout(
    unstable_startWorker({
      config: join(ROOT, 'wrangler.toml'),
      bindings: Object.fromEntries(
        Object.entries({ PUBLISH_TOKEN: TOKEN, SITE_TITLE: siteTitle, ...vars }).map(([name, value]) => [name, { type: 'plain_text', value }]),
      ),
      dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, persist, watch: false, logLevel: 'warn' },
    }),
    60_000,
    'the Worker to start',
  );
  await worker.ready;
  const origin = (await worker.url).origin;
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
    async close() {
      await worker.dispose();
      await rm(persist, { recursive: true, force: true });
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // TOOLCHAIN.md: with a compatibility_date this workerd does not know, startWorker hangs forever.
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
}

runHttpSuite('the Worker in workerd over D1', (files, title) => makeWorkerTarget(files, title));

describe('the Worker beside the Node server', () => {
  const BASE_URL = 'http://feeds.test';
  let worker: Target;
  let node: Target;

  beforeAll(async () => {
    [worker, node] = await Promise.all([
      makeWorkerTarget(FIXTURE_FILES, FIXTURE_TITLE, { BASE_URL }),
      makeNodeTarget(FIXTURE_FILES, FIXTURE_TITLE, 'server', { BASE_URL }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([worker?.close(), node?.close()]);
  });

  it('serves byte-identical feeds and pages for the same files: same ids, dates, links and ETags', async () => {
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/politics/rss.xml', '/sports/atom.xml', '/status/feed.json', '/feeds.opml', '/', '/politics/']) {
      // Compare the identity documents: workerd and Node each handle compression their own way.
      const init = { headers: { 'Accept-Encoding': 'identity' } };
      const [fromWorker, fromNode] = await Promise.all([worker.request(path, init), node.request(path, init)]);
      expect(fromWorker.status, path).toBe(200);
      expect(await fromWorker.text(), path).toBe(await fromNode.text());
      expect(fromWorker.headers.get('content-type'), path).toBe(fromNode.headers.get('content-type'));
      if (path.endsWith('.xml') || path.endsWith('.json')) expect(fromWorker.headers.get('etag'), path).toBe(fromNode.headers.get('etag'));
    }
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
