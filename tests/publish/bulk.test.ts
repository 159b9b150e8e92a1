// Bulk publishing (`POST /api/articles`, NDJSON) and the paged listing, through app.request over
// a real temp folder (createFolderPublisher): every line's outcome, the caps, the cut-off upload.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { comparePaths } from '../../src/publish/contract.ts';
import { createFolderPublisher } from '../../src/node/folder-publisher.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { PARSE_OPTIONS, SITE } from '../helpers/articles.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';

const TOKEN = 'test-token-0123456789abcdef';
const MAX_BYTES = 4096;
const MTIME = '2025-03-01T12:34:56.789Z';
const ARTICLE = txtArticle('Politics', 'Talks continue', 'First paragraph.');

let temp: TempDir;
let logs: string[];
let app: ReturnType<typeof createApp>;

function makeApp(base = 'http://feeds.test') {
  return createApp({
    store: createMemoryStore(),
    site: { ...SITE, baseUrl: base },
    feedLimit: 50,
    publish: {
      token: TOKEN,
      publisher: createFolderPublisher({ dir: temp.dir, parseOptions: { ...PARSE_OPTIONS, maxBytes: MAX_BYTES } }),
      maxBytes: MAX_BYTES,
      log: (line) => logs.push(line),
      bulk: { maxBytes: 64 * 1024, maxFiles: 20 },
    },
  });
}

beforeEach(async () => {
  temp = await makeTempDir();
  logs = [];
  app = makeApp();
});

afterEach(() => temp.remove());

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const file = (path: string, text = ARTICLE, mtime = MTIME) => line({ path, mtime, text });

async function post(body: string | ReadableStream<Uint8Array>, init: { token?: string | null; type?: string; path?: string; headers?: Record<string, string> } = {}) {
  const { token = TOKEN, type = 'application/x-ndjson', path = '/api/articles' } = init;
  const headers = new Headers({ 'Content-Type': type, ...init.headers });
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const response = await app.request(path, { method: 'POST', body, headers, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: () => JSON.parse(text) };
}

async function entries(): Promise<string[]> {
  return (await readdir(temp.dir, { recursive: true })).sort();
}

describe('POST /api/articles (bulk)', () => {
  it('creates, keeps and updates files like single PUTs, with the given mtimes, and deletes', async () => {
    const first = await post(file('politics/a.txt') + file('world/b.txt') + line({ path: 'c.md', mtime: MTIME, base64: Buffer.from('---\ntitle: C\n---\n\nBody.\n').toString('base64') }));
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({
      results: [
        { line: 1, path: 'politics/a.txt', change: 'created' },
        { line: 2, path: 'world/b.txt', change: 'created' },
        { line: 3, path: 'c.md', change: 'created' },
      ],
      truncated: false,
    });
    expect(await readFile(join(temp.dir, 'politics', 'a.txt'), 'utf8')).toBe(ARTICLE);
    expect((await stat(join(temp.dir, 'politics', 'a.txt'))).mtime.toISOString()).toBe(MTIME);
    const changed = txtArticle('Politics', 'Talks continue', 'A new paragraph.');
    const second = await post(file('politics/a.txt') + file('world/b.txt', changed) + line({ path: 'c.md', delete: true }) + line({ path: 'gone.md', delete: true }));
    expect(second.json().results).toEqual([
      { line: 1, path: 'politics/a.txt', change: 'unchanged' },
      { line: 2, path: 'world/b.txt', change: 'updated' },
      { line: 3, path: 'c.md', change: 'deleted' },
      { line: 4, path: 'gone.md', status: 404, error: 'no such file' },
    ]);
    expect(await entries()).toEqual(['politics', 'politics/a.txt', 'world', 'world/b.txt']);
    expect(logs.at(-1)).toBe('[api] batch of 4: unchanged 1, updated 1, deleted 1, refused 1');
  });

  it('refuses a bad file, an oversize one and a bad path on their own lines and applies the rest', async () => {
    const response = await post(
      file('politics/good.txt') +
        file('politics/empty.txt', '') +
        file('politics/big.txt', `Politics\n\n${'x'.repeat(MAX_BYTES)}`) +
        file('../escape.txt') +
        file('notes.pdf') +
        file('a%20b.txt') +
        line({ path: 'no-body.md', mtime: MTIME }) +
        line({ path: 'bad-time.md', mtime: 'yesterday', text: ARTICLE }) +
        'not json\n' +
        line({ path: 'bad64.md', base64: '%%%' }),
    );
    expect(response.status).toBe(200);
    const results = response.json().results as { line: number; status?: number; error?: string; change?: string }[];
    expect(results.map((result) => [result.line, result.change ?? result.status])).toEqual([
      [1, 'created'],
      [2, 422],
      [3, 413],
      [4, 400],
      [5, 400],
      [6, 400],
      [7, 400],
      [8, 400],
      [9, 400],
      [10, 400],
    ]);
    expect(results[1]!.error).toContain('empty file');
    expect(results[2]!.error).toContain(`${MAX_BYTES}-byte limit`);
    expect(results[3]!.error).toContain('..');
    expect(await entries()).toEqual(['politics', 'politics/good.txt']);
  });

  it('refuses every line of a path that comes twice, and applies the others', async () => {
    const response = await post(file('politics/twice.txt') + file('politics/once.txt') + line({ path: 'politics/twice.txt', delete: true }));
    expect(response.json().results).toEqual([
      { line: 1, path: 'politics/twice.txt', status: 400, error: 'path is on more than one line of this batch: none of them applied' },
      { line: 2, path: 'politics/once.txt', change: 'created' },
      { line: 3, path: 'politics/twice.txt', status: 400, error: 'path is on more than one line of this batch: none of them applied' },
    ]);
    expect(await entries()).toEqual(['politics', 'politics/once.txt']);
  });

  it('answers 401 for the whole request with a wrong token or none, and applies nothing', async () => {
    for (const token of ['wrong-token', null]) {
      const response = await post(file('politics/a.txt'), { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toContain('Bearer');
    }
    expect(await entries()).toEqual([]);
  });

  it('answers 413 for a request over the byte or line cap, and 415 for another body type, applying nothing', async () => {
    const many = Array.from({ length: 21 }, (_, i) => file(`politics/${i}.txt`)).join('');
    expect((await post(many)).status).toBe(413);
    const big = file('politics/a.txt').repeat(1).padEnd(70 * 1024, ' ');
    expect((await post(big)).status).toBe(413);
    expect((await post(file('politics/a.txt'), { headers: { 'Content-Length': String(65 * 1024) } })).status).toBe(413);
    expect((await post(file('politics/a.txt'), { type: 'application/json' })).status).toBe(415);
    expect(await entries()).toEqual([]);
  });

  it('keeps the whole lines of an upload cut off mid-way, and never half a file', async () => {
    // A body that ends inside a line: the lines before it are applied, that one is refused.
    const cut = file('politics/a.txt') + file('politics/b.txt').slice(0, 30);
    expect((await post(cut)).json()).toEqual({
      results: [
        { line: 1, path: 'politics/a.txt', change: 'created' },
        { line: 2, status: 400, error: 'line cut off (no "\\n" at its end): not applied' },
      ],
      truncated: true,
    });
    // A stream that breaks off (the client went away): what arrived whole is kept.
    const encoder = new TextEncoder();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(encoder.encode(file('world/c.txt') + file('world/d.txt').slice(0, 20)));
        else controller.error(new Error('connection reset'));
      },
    });
    const broken = await post(body);
    expect(broken.status).toBe(200);
    expect(broken.json().truncated).toBe(true);
    expect(broken.json().results[0]).toEqual({ line: 1, path: 'world/c.txt', change: 'created' });
    expect(await entries()).toEqual(['politics', 'politics/a.txt', 'world', 'world/c.txt']);
    expect(await readFile(join(temp.dir, 'world', 'c.txt'), 'utf8')).toBe(ARTICLE);
  });

  it('takes a batch under BASE_URL\'s path too', async () => {
    app = makeApp('https://example.com/news');
    const response = await post(file('politics/a.txt'), { path: '/news/api/articles' });
    expect(response.json().results).toEqual([{ line: 1, path: 'politics/a.txt', change: 'created' }]);
  });
});

describe('GET /api/articles paged', () => {
  it('answers pages in path order with a next cursor; without parameters the whole listing, both advertising bulk', async () => {
    const paths = ['b/2.txt', 'a/1.txt', 'a/10.txt', 'c/\u{1F600}.txt', 'c/\uFFFD.txt'];
    await post(paths.map((path) => file(path, txtArticle('News', `Title ${path}`))).join(''));
    const get = async (query: string) => {
      const response = await app.request(`/api/articles${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      return { status: response.status, json: (await response.json()) as { files: { path: string }[]; next?: string | null; bulk: unknown } };
    };
    const whole = await get('');
    const ordered = [...paths].sort(comparePaths);
    expect(ordered.at(-1)).toBe('c/\u{1F600}.txt');
    expect(whole.json.files.map((entry) => entry.path)).toEqual(ordered);
    expect(whole.json.bulk).toEqual({ maxBytes: 64 * 1024, maxFiles: 20 });
    const seen: string[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const page = await get(query);
      expect(page.status).toBe(200);
      seen.push(...page.json.files.map((entry) => entry.path));
      if (page.json.next === null) break;
      query = `?limit=2&after=${encodeURIComponent(page.json.next!)}`;
    }
    expect(seen).toEqual(ordered);
    expect((await get('?after=b/2.txt&limit=10')).json.files.map((entry) => entry.path)).toEqual(ordered.slice(3));
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?limit=abc')).status).toBe(400);
  });
});
