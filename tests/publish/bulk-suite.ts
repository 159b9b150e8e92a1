// One set of cases for bulk publishing (`POST /api/articles`, NDJSON) and the paged listing, run
// through app.request over each runtime's publisher: a real folder on Node (./bulk.test.ts) and
// D1 inside workerd (tests/workers/bulk.test.ts). Every line's outcome, the caps, the cut-off
// upload. workerd runs this file too: no node:* here, the targets bring what is runtime-specific.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparePaths } from '../../src/publish/contract.ts';
import { sha256Hex } from '../../src/site/sha256.ts';
import { txtArticle } from '../helpers/txt-article.ts';
import { ARTICLE, MAX_BYTES, MTIME, TOKEN } from './fixtures.ts';

/** An app with the publish API on (TOKEN, MAX_BYTES a file, its log kept) over one runtime's publisher. */
export interface BulkTarget {
  /** The app's own `request` (no server). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** What the publisher holds, sorted: every file's path, and with `folders` every folder's too. */
  stored(): Promise<string[]>;
  /** Whether the publisher keeps a folder tree, so that `stored()` lists folders besides files. */
  folders: boolean;
  /** The SHA-256 (hex) and mtime (ISO 8601) of the bytes the publisher keeps at `path`. */
  file(path: string): Promise<{ sha256: string; mtime: string }>;
  /** The publish API's log lines so far. */
  logs: string[];
  close(): Promise<void>;
}

export interface BulkTargetOptions {
  /** The site's BASE_URL; the target's own when not given. */
  baseUrl?: string;
  /** The caps of one bulk upload. */
  bulk: { maxBytes: number; maxFiles: number };
}

/** Builds a target over an empty publisher. */
export type MakeBulkTarget = (options: BulkTargetOptions) => Promise<BulkTarget>;

/** One NDJSON line of a batch. */
export const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** POSTs `body` as a batch to `target` (with TOKEN unless `token` says otherwise) and reads the answer. */
export async function post(
  target: Pick<BulkTarget, 'request'>,
  body: string | ReadableStream<Uint8Array>,
  init: { token?: string | null; type?: string; path?: string; headers?: Record<string, string> } = {},
) {
  const { token = TOKEN, type = 'application/x-ndjson', path = '/api/articles' } = init;
  const headers = new Headers({ 'Content-Type': type, ...init.headers });
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const response = await target.request(path, { method: 'POST', body, headers, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: () => JSON.parse(text) };
}

const CAPS = { maxBytes: 64 * 1024, maxFiles: 20 };
const file = (path: string, text = ARTICLE, mtime = MTIME) => line({ path, mtime, text });
const sha256 = (text: string) => sha256Hex(new TextEncoder().encode(text));

/** `paths` as `target.stored()` lists them: with the folders that hold them where it lists folders. */
function asStored(target: BulkTarget, paths: string[]): string[] {
  const all = new Set(paths);
  if (target.folders) for (const path of paths) path.split('/').slice(0, -1).forEach((_, i, parts) => all.add(parts.slice(0, i + 1).join('/')));
  return [...all].sort();
}

/** The bulk publishing cases every target must pass. */
export function runBulkSuite(name: string, makeTarget: MakeBulkTarget) {
  describe(name, () => {
    let target: BulkTarget;
    const expectStored = async (paths: string[]) => expect(await target.stored()).toEqual(asStored(target, paths));

    beforeEach(async () => {
      target = await makeTarget({ bulk: CAPS });
    });

    afterEach(() => target.close());

    describe('POST /api/articles (bulk)', () => {
      it('creates, keeps and updates files like single PUTs, with the given mtimes, and deletes', async () => {
        const first = await post(target, file('politics/a.txt') + file('world/b.txt') + line({ path: 'c.md', mtime: MTIME, base64: btoa('---\ntitle: C\n---\n\nBody.\n') }));
        expect(first.status).toBe(200);
        expect(first.json()).toEqual({
          results: [
            { line: 1, path: 'politics/a.txt', change: 'created' },
            { line: 2, path: 'world/b.txt', change: 'created' },
            { line: 3, path: 'c.md', change: 'created' },
          ],
          truncated: false,
        });
        expect(await target.file('politics/a.txt')).toEqual({ sha256: await sha256(ARTICLE), mtime: MTIME });
        const changed = txtArticle('Politics', 'Talks continue', 'A new paragraph.');
        const second = await post(target, file('politics/a.txt') + file('world/b.txt', changed) + line({ path: 'c.md', delete: true }) + line({ path: 'gone.md', delete: true }));
        expect(second.json().results).toEqual([
          { line: 1, path: 'politics/a.txt', change: 'unchanged' },
          { line: 2, path: 'world/b.txt', change: 'updated' },
          { line: 3, path: 'c.md', change: 'deleted' },
          { line: 4, path: 'gone.md', status: 404, error: 'no such file' },
        ]);
        await expectStored(['politics/a.txt', 'world/b.txt']);
        expect(target.logs.at(-1)).toBe('[api] batch of 4: unchanged 1, updated 1, deleted 1, refused 1');
      });

      it('refuses a bad file, an oversize one and a bad path on their own lines and applies the rest', async () => {
        const response = await post(
          target,
          file('politics/good.txt') +
            file('politics/empty.txt', '') +
            file('politics/big.txt', `Politics\n\n${'x'.repeat(MAX_BYTES)}`) +
            file('../escape.txt') +
            file('notes.pdf') +
            file('a%20b.txt') +
            line({ path: 'no-body.md', mtime: MTIME }) +
            line({ path: 'bad-time.md', mtime: 'yesterday', text: ARTICLE }) +
            'not json\n' +
            line({ path: 'bad64.md', base64: '%%%' }) +
            file('politics/untitled.md', '---\nsection: World\n---\n'),
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
          [11, 422],
        ]);
        expect(results[1]!.error).toContain('empty file');
        expect(results[2]!.error).toContain(`${MAX_BYTES}-byte limit`);
        expect(results[3]!.error).toContain('..');
        await expectStored(['politics/good.txt']);
      });

      it('refuses every line of a path that comes twice, and applies the others', async () => {
        const response = await post(target, file('politics/twice.txt') + file('politics/once.txt') + line({ path: 'politics/twice.txt', delete: true }));
        expect(response.json().results).toEqual([
          { line: 1, path: 'politics/twice.txt', status: 400, error: 'path is on more than one line of this batch: none of them applied' },
          { line: 2, path: 'politics/once.txt', change: 'created' },
          { line: 3, path: 'politics/twice.txt', status: 400, error: 'path is on more than one line of this batch: none of them applied' },
        ]);
        await expectStored(['politics/once.txt']);
      });

      it('answers 401 for the whole request with a wrong token or none, and applies nothing', async () => {
        for (const token of ['wrong-token', null]) {
          const response = await post(target, file('politics/a.txt'), { token });
          expect(response.status).toBe(401);
          expect(response.headers.get('WWW-Authenticate')).toContain('Bearer');
        }
        await expectStored([]);
      });

      it('answers 413 for a request over the byte or line cap, and 415 for another body type, applying nothing', async () => {
        const many = Array.from({ length: 21 }, (_, i) => file(`politics/${i}.txt`)).join('');
        expect((await post(target, many)).status).toBe(413);
        const big = file('politics/a.txt').repeat(1).padEnd(70 * 1024, ' ');
        expect((await post(target, big)).status).toBe(413);
        expect((await post(target, file('politics/a.txt'), { headers: { 'Content-Length': String(65 * 1024) } })).status).toBe(413);
        expect((await post(target, file('politics/a.txt'), { type: 'application/json' })).status).toBe(415);
        await expectStored([]);
      });

      it('keeps the whole lines of an upload cut off mid-way, and never half a file', async () => {
        // A body that ends inside a line: the lines before it are applied, that one is refused.
        const cut = file('politics/a.txt') + file('politics/b.txt').slice(0, 30);
        expect((await post(target, cut)).json()).toEqual({
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
        const broken = await post(target, body);
        expect(broken.status).toBe(200);
        expect(broken.json().truncated).toBe(true);
        expect(broken.json().results[0]).toEqual({ line: 1, path: 'world/c.txt', change: 'created' });
        await expectStored(['politics/a.txt', 'world/c.txt']);
        expect((await target.file('world/c.txt')).sha256).toBe(await sha256(ARTICLE));
      });

      it('takes a batch under BASE_URL\'s path too', async () => {
        const under = await makeTarget({ baseUrl: 'https://example.com/news', bulk: CAPS });
        try {
          const response = await post(under, file('politics/a.txt'), { path: '/news/api/articles' });
          expect(response.json().results).toEqual([{ line: 1, path: 'politics/a.txt', change: 'created' }]);
        } finally {
          await under.close();
        }
      });
    });

    describe('GET /api/articles paged', () => {
      it('answers pages in path order with a next cursor; without parameters the whole listing, both advertising bulk', async () => {
        const paths = ['b/2.txt', 'a/1.txt', 'a/10.txt', 'a/2.txt', 'c/\u{1F600}.txt', 'c/\uFFFD.txt'];
        await post(target, paths.map((path) => file(path, txtArticle('News', `Title ${path}`))).join(''));
        const get = async (query: string) => {
          const response = await target.request(`/api/articles${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
          return { status: response.status, json: (await response.json()) as { files: { path: string }[]; next?: string | null; bulk: unknown } };
        };
        const whole = await get('');
        const ordered = [...paths].sort(comparePaths);
        // UTF-8 byte order: a/10 before a/2, and U+FFFD before an emoji (JavaScript's UTF-16 order puts the emoji first).
        expect(ordered).toEqual(['a/1.txt', 'a/10.txt', 'a/2.txt', 'b/2.txt', 'c/\uFFFD.txt', 'c/\u{1F600}.txt']);
        expect(whole.json.files.map((entry) => entry.path)).toEqual(ordered);
        expect(whole.json.bulk).toEqual(CAPS);
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
        expect((await get('?after=b/2.txt&limit=10')).json.files.map((entry) => entry.path)).toEqual(ordered.slice(4));
        expect((await get('?limit=0')).status).toBe(400);
        expect((await get('?limit=abc')).status).toBe(400);
      });
    });
  });
}
