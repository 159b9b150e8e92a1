// The publish API through app.request, over a real temp folder (createFolderPublisher): every
// status code, the path checks, the size cap, the bad-token limit, and the token kept secret.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublishApi, decodePublishPath } from '../../src/publish/api.ts';
import { createApp } from '../../src/http/app.ts';
import { resolveConfig } from '../../src/site/config.ts';
import { createFolderPublisher } from '../../src/node/folder-publisher.ts';
import { sha256Hex } from '../../src/site/sha256.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { PARSE_OPTIONS, SITE } from '../helpers/articles.ts';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.ts';
import { ARTICLE, MAX_BYTES, MTIME, TOKEN } from './fixtures.ts';
import { createFolderApp, entries as entriesOf } from './folder-app.ts';

let temp: TempDir;
let clock: number;
let logs: string[];
let seen: string[];
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  temp = await makeTempDir();
  clock = Date.parse('2026-01-10T08:00:00Z');
  logs = [];
  seen = [];
  app = createFolderApp(temp.dir, { log: (line) => logs.push(line), now: () => clock });
});

afterEach(async () => {
  // Whatever happened, the token never left the server: not in a body, a header or a log line.
  expect(seen.filter((text) => text.includes(TOKEN))).toEqual([]);
  expect(logs.filter((line) => line.includes(TOKEN))).toEqual([]);
  await temp.remove();
});

async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = TOKEN, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const response = await app.request(path, { ...rest, headers });
  const body = await response.text();
  seen.push(body, ...[...response.headers].map(([name, value]) => `${name}: ${value}`));
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body) };
}

const put = (path: string, body: string | Uint8Array, headers: Record<string, string> = { 'X-Wirefeed-Mtime': MTIME }) =>
  call(`/api/articles/${path}`, { method: 'PUT', body, headers });

/** Every entry under the temp folder, dotfiles included. */
const entries = () => entriesOf(temp.dir);

/** A body that never ends, 1 KiB a pull, counting the pulls. */
function endlessBody() {
  const body = {
    pulled: 0,
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        body.pulled += 1;
        controller.enqueue(new Uint8Array(1024).fill(65));
      },
    }),
  };
  return body;
}

describe('the publish API', () => {
  it('is not there without the publish option', async () => {
    const plain = createApp({ store: createMemoryStore(), site: SITE, feedLimit: 50 });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await plain.request('/api/articles', { headers: auth })).status).toBe(404);
    expect((await plain.request('/api/articles/a.md', { method: 'PUT', body: ARTICLE, headers: auth })).status).toBe(404);
    expect((await plain.request('/api/articles/a.md', { method: 'DELETE', headers: auth })).status).toBe(404);
  });

  it('refuses to start without a token', () => {
    const publisher = createFolderPublisher({ dir: '/nonexistent', parseOptions: PARSE_OPTIONS });
    expect(() => createPublishApi({ token: '', publisher, maxBytes: 1 })).toThrow(/PUBLISH_TOKEN/);
  });

  it('creates (201), keeps (200 unchanged) and updates (200) a file, with the given mtime', async () => {
    const created = await put('politics/talks.txt', ARTICLE);
    expect(created.status).toBe(201);
    expect(created.json()).toEqual({ path: 'politics/talks.txt', change: 'created' });
    const file = join(temp.dir, 'politics', 'talks.txt');
    expect(await readFile(file, 'utf8')).toBe(ARTICLE);
    expect((await stat(file)).mtime.toISOString()).toBe(MTIME);

    const again = await put('politics/talks.txt', ARTICLE);
    expect([again.status, again.json().change]).toEqual([200, 'unchanged']);
    const touched = await put('politics/talks.txt', ARTICLE, { 'X-Wirefeed-Mtime': '1700000000123' });
    expect([touched.status, touched.json().change]).toEqual([200, 'updated']);
    expect((await stat(file)).mtime.getTime()).toBe(1700000000123);
    const changed = await put('politics/talks.txt', `${ARTICLE}\n\nMore.`, {});
    expect([changed.status, changed.json().change]).toEqual([200, 'updated']);
    // Without X-Wirefeed-Mtime the file is dated now.
    expect((await stat(file)).mtime.getTime()).toBe(clock);
    expect(await entries()).toEqual(['politics', join('politics', 'talks.txt')]);
    expect(logs).toEqual(['[api] created politics/talks.txt', '[api] updated politics/talks.txt', '[api] updated politics/talks.txt']);
  });

  it('lists stored files with hash, size and mtime', async () => {
    const markdown = '---\ntitle: B\n---\nBody.';
    await put('b.md', markdown);
    await put('a/one.txt', ARTICLE);
    await temp.write('.hidden.txt', ARTICLE);
    await temp.write('notes.pdf', 'not an article');
    const listed = await call('/api/articles');
    expect(listed.status).toBe(200);
    expect(listed.json()).toEqual({
      files: [
        { path: 'a/one.txt', sha256: await sha256Hex(new TextEncoder().encode(ARTICLE)), size: ARTICLE.length, mtime: MTIME },
        { path: 'b.md', sha256: await sha256Hex(new TextEncoder().encode(markdown)), size: markdown.length, mtime: MTIME },
      ],
      // The caps of a bulk upload (POST /api/articles), for clients that batch.
      bulk: { maxBytes: 8 * 1024 * 1024, maxFiles: 500 },
    });
  });

  it('deletes a file (204), prunes its empty folder, and answers 404 for one it does not have', async () => {
    await put('politics/talks.txt', ARTICLE);
    const deleted = await call('/api/articles/politics/talks.txt', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect(await entries()).toEqual([]);
    expect((await call('/api/articles/politics/talks.txt', { method: 'DELETE' })).status).toBe(404);
    expect((await call('/api/articles/nowhere/x.md', { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 401 with a Bearer challenge without the token, with a wrong one, or one of the same length', async () => {
    const sameLength = TOKEN.slice(0, -1) + (TOKEN.endsWith('f') ? 'e' : 'f');
    for (const [token, headers] of [
      [null, {}],
      ['wrong', {}],
      [sameLength, {}],
      [null, { Authorization: `Basic ${btoa(`user:${TOKEN}`)}` }],
      [`${TOKEN} extra`, {}],
    ] as const) {
      for (const [method, path] of [['GET', '/api/articles'], ['PUT', '/api/articles/a.txt'], ['DELETE', '/api/articles/a.txt']]) {
        const response = await call(path!, { method, token, headers, body: method === 'PUT' ? ARTICLE : undefined });
        expect(response.status, `${method} ${token}`).toBe(401);
        expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="wirefeed"/);
        expect(response.json()).toEqual({ error: 'missing or wrong bearer token' });
      }
    }
    expect(await entries()).toEqual([]);
    expect(logs[0]).toBe('[api] refused GET from unknown: no bearer token');
    expect(logs[1]).toBe('[api] refused PUT from unknown: no bearer token');
    expect(logs[3]).toBe('[api] refused GET from unknown: wrong token');
  });

  it('answers 429 with Retry-After after 20 bad tokens from one client in a minute', async () => {
    const from = (ip: string, token: string) => call('/api/articles', { token, headers: { 'CF-Connecting-IP': ip } });
    for (let i = 0; i < 20; i++) expect((await from('203.0.113.7', `bad-${i}`)).status).toBe(401);
    const limited = await from('203.0.113.7', 'bad-again');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('60');
    // Even the right token waits: a guess that happens to be right must not be confirmed.
    expect((await from('203.0.113.7', TOKEN)).status).toBe(429);
    expect((await from('198.51.100.1', TOKEN)).status).toBe(200);
    clock += 45_000;
    expect((await from('203.0.113.7', TOKEN)).headers.get('Retry-After')).toBe('15');
    clock += 15_000;
    expect((await from('203.0.113.7', TOKEN)).status).toBe(200);
  });

  it('refuses bad paths with 400 and writes nothing', async () => {
    for (const path of [
      '..%2Fsecret.txt',
      '%2e%2e%2fsecret.txt',
      '%2E%2E%2Fsecret.txt',
      '%252e%252e/secret.txt',
      '%252e%252e%252fsecret.txt',
      'a%252Fb.txt',
      '%2Fetc%2Fsecret.txt',
      '/etc/secret.txt',
      '..%5Csecret.txt',
      'a%5Cb.txt',
      'C:/secret.txt',
      'a//b.txt',
      'notes.pdf',
      'notes',
      '.hidden.txt',
      'a/.git/x.txt',
      'draft.txt.tmp',
      'draft.txt~',
      'a%00.txt',
      '%ff.txt',
      '',
    ]) {
      const response = await put(path, ARTICLE);
      expect(response.status, path).toBe(400);
      expect(response.json().error, path).toMatch(/path|article file/);
      expect((await call(`/api/articles/${path}`, { method: 'DELETE' })).status, path).toBe(400);
    }
    expect(await entries()).toEqual([]);
    expect((await put('notes.pdf', ARTICLE)).json().error).toBe('not an article file: use .txt, .md or .markdown (no hidden or temp files)');
  });

  it('never routes plain dot segments to the API: the URL is normalised first', async () => {
    // WHATWG URL parsing (Request, fetch, @hono/node-server) resolves `..` and `%2e%2e` before
    // any router sees them, so these land outside /api/articles/ and answer 404.
    for (const path of ['/api/articles/../secret.txt', '/api/articles/%2e%2e/secret.txt', '/api/articles/a/../../../secret.txt']) {
      expect((await call(path, { method: 'PUT', body: ARTICLE })).status, path).toBe(404);
    }
    expect(await entries()).toEqual([]);
  });

  it('decodes a path once and checks it (decodePublishPath)', () => {
    for (const raw of ['..', '../x.txt', 'a/../b.txt', '%2e%2e/x.txt', './x.txt', '%252e%252e/x.txt', 'a%2fb.txt', '%5c..%5cx.txt', '/x.txt']) {
      expect(decodePublishPath(raw).ok, raw).toBe(false);
    }
    expect(decodePublishPath('politics/caf%C3%A9%20news.md')).toEqual({ ok: true, path: 'politics/café news.md' });
  });

  it('refuses a bad X-Wirefeed-Mtime with 400', async () => {
    for (const mtime of ['yesterday', '2025-13-45T00:00:00Z', '2025-03-01', '1e12', '-5', '2025-03-01T12:00:00', '1969-12-31T23:59:59Z', '2200-01-01T00:00:00Z', '99999999999999']) {
      const response = await put('a.txt', ARTICLE, { 'X-Wirefeed-Mtime': mtime });
      expect(response.status, mtime).toBe(400);
      expect(response.json().error).toMatch(/X-Wirefeed-Mtime/);
    }
    expect(await entries()).toEqual([]);
  });

  it('answers 413 when Content-Length is over the cap, without reading the body', async () => {
    const endless = endlessBody();
    const response = await call('/api/articles/big.txt', {
      method: 'PUT',
      body: endless.stream,
      headers: { 'Content-Length': String(MAX_BYTES + 1) },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.json().error).toMatch(/4096-byte limit/);
    expect(endless.pulled).toBeLessThanOrEqual(1);
    expect(await entries()).toEqual([]);
  });

  it('answers 413 when the body itself is over the cap, and stops reading it', async () => {
    const endless = endlessBody();
    const response = await call('/api/articles/big.txt', { method: 'PUT', body: endless.stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(endless.pulled).toBeLessThan(MAX_BYTES / 1024 + 4);
    const exact = await put('exact.txt', ARTICLE.padEnd(MAX_BYTES, '.'));
    expect(exact.status).toBe(201);
    expect((await put('over.txt', ARTICLE.padEnd(MAX_BYTES + 1, '.'))).status).toBe(413);
    expect(await entries()).toEqual(['exact.txt']);
  });

  it('answers 422 with the parser\'s reason and writes nothing for a bad article', async () => {
    for (const [path, body, reason] of [
      ['empty.txt', '', 'empty file'],
      ['blank.txt', '  \n\n ', 'empty file'],
      ['untitled.md', '---\nsection: World\n---\n', 'title'],
      ['binary.txt', new Uint8Array([65, 0, 66]), 'binary'],
    ] as const) {
      const response = await put(path, body);
      expect(response.status, path).toBe(422);
      expect(response.json().error, path).toContain(reason);
    }
    expect(await entries()).toEqual([]);
  });

  it('answers 422 when a file stands where a folder of the path should be', async () => {
    await temp.write('taken', 'a file where a folder should be');
    const response = await put('taken/x.txt', ARTICLE);
    expect(response.status).toBe(422);
    expect(response.json().error).toMatch(/file is in the way/);
  });

  it('answers an unexpected publisher failure with a plain 500 and logs one line', async () => {
    const failing = { put: async () => { throw new Error('disk on fire'); }, remove: async () => false, list: async () => [] };
    const api = createPublishApi({ token: TOKEN, publisher: failing, maxBytes: MAX_BYTES, log: (line) => logs.push(line) });
    const response = await api.request('/articles/a.txt', { method: 'PUT', body: ARTICLE, headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error' });
    expect(logs).toEqual(['[api] PUT /articles/a.txt failed: disk on fire']);
  });
});

describe('PUBLISH_TOKEN', () => {
  it('is off by default, read when set, and refused when weak without being repeated', () => {
    expect(resolveConfig({}).publishToken).toBeUndefined();
    expect(resolveConfig({ PUBLISH_TOKEN: ` ${TOKEN} ` }).publishToken).toBe(TOKEN);
    for (const weak of ['short-secret', 'has spaces in the middle of it', 'quote"inside-the-token-value']) {
      let message = '';
      try {
        resolveConfig({ PUBLISH_TOKEN: weak });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^PUBLISH_TOKEN is not valid: use 16 or more/);
      expect(message).not.toContain(weak);
    }
  });
});
