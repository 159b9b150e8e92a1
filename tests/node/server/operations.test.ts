// What operators see of a running service: structured log lines, one access line per response
// (fast path included), /metrics in the Prometheus text format, /healthz and /readyz.
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.ts';
import { createLogger, type Logger } from '../../../src/node/logger.ts';
import { routeLabel } from '../../../src/node/server/route-label.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { createMemoryStore } from '../../../src/store/drivers/memory.ts';
import { SITE } from '../../helpers/articles.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

let temp: TempDir | undefined;
let wirefeed: Wirefeed | undefined;
afterEach(async () => {
  await wirefeed?.close();
  wirefeed = undefined;
  await temp?.remove();
  temp = undefined;
});

/** A logger writing into memory, and what it wrote, line by line. */
function memoryLogger(level: 'debug' | 'info' | 'warn', format: 'json' | 'text' = 'json'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      done();
    },
  });
  return { logger: createLogger({ level, format, stream }), lines };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function startOver(files: Record<string, string>, env: Record<string, string>, logger: Logger): Promise<Wirefeed> {
  temp = await makeTempDir();
  for (const [path, text] of Object.entries(files)) await temp.write(path, text);
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', STATE_DIR: 'off', ...env }, { logger });
  return wirefeed;
}

const FILES = {
  'world/one.txt': txtArticle('World', 'One', 'First body. '.repeat(50)),
  'world/two.txt': txtArticle('World', 'Two'),
  'sports/three.txt': txtArticle('Sports', 'Three'),
  'bad.txt': '',
};

/** Sample lines of the Prometheus text format (0.0.4): `name{label="value",...} number`. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))$/;

/** The samples of a /metrics body, keyed `name{labels}`; throws on a line that is not the format. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return samples;
}

describe('the log', () => {
  it('writes JSON records with time, level, message and module, and an access line per response, fast path included', async () => {
    const { logger, lines } = memoryLogger('info');
    const { port } = await startOver(FILES, {}, logger);
    const first = await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip' });
    // The same again is answered from the cache in node:http (fast-path.ts), then a 304.
    const second = await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip' });
    const etag = String(first.headers.etag);
    const third = await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    const missing = await send(port, '/nowhere/at/all');
    expect([first.status, second.status, third.status, missing.status]).toEqual([200, 200, 304, 404]);

    await waitFor(() => lines.filter((line) => line.includes('"module":"http"')).length === 4, { what: 'four access lines' });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(new Date(String(record.time)).toISOString()).toBe(record.time);
      expect(['debug', 'info', 'warn', 'error']).toContain(record.level);
      expect(typeof record.msg).toBe('string');
    }
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', module: 'intake', msg: 'rejected bad.txt: empty file' }));
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^indexed 3 articles in 2 sections/) }));
    const access = records.filter((record) => record.module === 'http');
    const common = { level: 'info', method: 'GET', client: '127.0.0.1', ms: expect.any(Number) };
    expect(access).toEqual([
      expect.objectContaining({ ...common, path: '/world/rss.xml', status: 200, bytes: first.body.byteLength, encoding: 'gzip', notModified: false, route: 'feed' }),
      expect.objectContaining({ ...common, path: '/world/rss.xml', status: 200, bytes: second.body.byteLength, encoding: 'gzip', notModified: false }),
      expect.objectContaining({ ...common, path: '/world/rss.xml', status: 304, bytes: 0, notModified: true }),
      expect.objectContaining({ ...common, path: '/nowhere/at/all', status: 404, bytes: missing.body.byteLength, encoding: 'identity', route: 'other' }),
    ]);
    expect(access[0]!.msg).toMatch(/^GET \/world\/rss\.xml 200 \d+ B [\d.]+ ms gzip 127\.0\.0\.1$/);
  });

  it('leaves out what is below LOG_LEVEL: at warn, no info lines and no access lines', async () => {
    const { logger, lines } = memoryLogger('warn');
    const { port } = await startOver(FILES, {}, logger);
    expect((await send(port, '/world/rss.xml')).status).toBe(200);
    const records = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(records).toEqual([expect.objectContaining({ level: 'warn', msg: 'rejected bad.txt: empty file' })]);
  });

  it('writes text as `[time] LEVEL: [module] message`, the access fields only in the message', async () => {
    const { logger, lines } = memoryLogger('info', 'text');
    logger.child('intake').warn('rejected a.txt: empty file');
    logger.child('http').info('GET / 200 5 B 1 ms identity 127.0.0.1', { method: 'GET', path: '/', status: 200 });
    logger.info('with a field', { articles: 3 });
    const time = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]`;
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${time} WARN: \\[intake\\] rejected a\\.txt: empty file$`));
    expect(lines[1]).toMatch(new RegExp(`^${time} INFO: \\[http\\] GET / 200 5 B 1 ms identity 127\\.0\\.0\\.1$`));
    expect(lines[2]).toMatch(new RegExp(`^${time} INFO: with a field \\{"articles":3\\}$`));
  });
});

describe('GET /metrics', () => {
  it('is a 404 unless METRICS is on', async () => {
    const { logger } = memoryLogger('warn');
    const { port } = await startOver(FILES, {}, logger);
    const answer = await send(port, '/metrics');
    expect(answer.status).toBe(404);
  });

  it('counts what /status says and the requests made, in the Prometheus text format, naming no file', async () => {
    const { logger } = memoryLogger('warn');
    const { port } = await startOver(FILES, { METRICS: 'on' }, logger);
    const feeds = [
      await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip' }),
      await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip' }),
      await send(port, '/atom.xml'),
      await send(port, '/world/feed.json?page=2'),
    ];
    const etag = String(feeds[0]!.headers.etag);
    feeds.push(await send(port, '/world/rss.xml', { 'accept-encoding': 'gzip', 'if-none-match': etag }));
    expect(feeds.map((answer) => answer.status)).toEqual([200, 200, 200, 404, 304]);
    const status = JSON.parse((await send(port, '/status')).body.toString()) as { articles: number; sections: unknown[]; rejected: unknown[]; scheduled: number };

    const answer = await send(port, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = answer.body.toString();
    const samples = parseMetrics(text);
    expect(samples.get('wirefeed_articles')).toBe(status.articles);
    expect(samples.get('wirefeed_sections')).toBe(status.sections.length);
    expect(samples.get('wirefeed_rejected_files')).toBe(status.rejected.length);
    expect(samples.get('wirefeed_scheduled_articles')).toBe(status.scheduled);
    expect(samples.get('wirefeed_ready')).toBe(1);
    expect(samples.get('wirefeed_scan_files_done')).toBe(4);
    expect(samples.get('wirefeed_scan_files_total')).toBe(4);
    expect(samples.get('wirefeed_scan_duration_seconds')).toBeGreaterThan(0);
    expect(samples.get('wirefeed_watcher_info{mode="native"}')).toBe(1);
    expect(samples.get('wirefeed_http_requests_total{route="feed",status="200"}')).toBe(3);
    expect(samples.get('wirefeed_http_requests_total{route="feed",status="304"}')).toBe(1);
    expect(samples.get('wirefeed_http_requests_total{route="feed-page",status="404"}')).toBe(1);
    expect(samples.get('wirefeed_http_requests_total{route="status",status="200"}')).toBe(1);
    const feedBytes = feeds.filter((_, i) => i !== 3).reduce((sum, { body }) => sum + body.byteLength, 0);
    expect(samples.get('wirefeed_http_response_bytes_total{route="feed"}')).toBe(feedBytes);
    expect(samples.get('wirefeed_http_request_duration_seconds_count{route="feed"}')).toBe(4);
    // Rendered on a change, not per request: world's RSS and the combined Atom feed.
    expect(samples.get('wirefeed_feed_render_seconds_count{format="rss"}')).toBe(1);
    expect(samples.get('wirefeed_feed_render_seconds_count{format="atom"}')).toBe(1);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).not.toContain(temp!.dir);
    expect(text).not.toContain('bad.txt');

    // A file written now reaches the store after its watch event: one file-to-feed observation.
    await temp!.write('world/four.txt', txtArticle('World', 'Four'));
    await waitFor(async () => (await send(port, '/world/rss.xml')).body.toString().includes('Four'), { timeoutMs: 10_000, what: 'the new article in the feed' });
    const later = parseMetrics((await send(port, '/metrics')).body.toString());
    expect(later.get('wirefeed_file_to_feed_seconds_count')).toBe(1);
    expect(later.get('wirefeed_file_to_feed_seconds_sum')).toBeGreaterThan(0);
    expect(later.get('wirefeed_articles')).toBe(status.articles + 1);
    expect(later.get('wirefeed_http_requests_total{route="metrics",status="200"}')).toBe(1);
  });
});

describe('/healthz and /readyz', () => {
  it('are alive and ready at once where there is no scan (the Worker), with no /metrics', async () => {
    const app = createApp({ store: createMemoryStore(), site: SITE, feedLimit: 10 });
    const [health, ready, metrics] = await Promise.all(['/healthz', '/readyz', '/metrics'].map((path) => app.request(path)));
    expect([health!.status, await health!.text()]).toEqual([200, 'ok']);
    expect([ready!.status, await ready!.text()]).toEqual([200, 'ready']);
    expect(metrics!.status).toBe(404);
  });

  it('keep liveness and readiness apart while the app is not ready', async () => {
    const app = createApp({ store: createMemoryStore(), site: SITE, feedLimit: 10, isReady: () => false, readiness: () => 'indexing 3/10 files' });
    const [health, ready] = await Promise.all(['/healthz', '/readyz'].map((path) => app.request(path)));
    expect([health!.status, await health!.text()]).toEqual([200, 'ok']);
    expect([ready!.status, await ready!.text(), ready!.headers.get('cache-control')]).toEqual([503, 'indexing 3/10 files', 'no-store']);
  });
});

describe('routeLabel', () => {
  it('names routes by kind, never by path', () => {
    const cases: [string, string][] = [
      ['/', 'home'],
      ['/rss.xml', 'feed'],
      ['/world/feed.json', 'feed'],
      ['/world/atom.xml?page=1', 'feed'],
      ['/world/atom.xml?page=3', 'feed-page'],
      ['/world/atom.xml?limit=5&page=2', 'feed-page'],
      ['/world/', 'section'],
      ['/world', 'section'],
      ['/world/some-article', 'article'],
      ['/status', 'status'],
      ['/feeds.opml', 'opml'],
      ['/api/articles/x.md', 'api'],
      ['/healthz', 'health'],
      ['/readyz', 'health'],
      ['/metrics', 'metrics'],
      ['/feed.css', 'static'],
      ['/../../etc/passwd', 'other'],
      ['/World/Upper', 'other'],
      ['/all.opml', 'opml'],
      ['/tags/climate/rss.xml', 'feed'],
      ['/authors/ann-lee/feed.json?page=2', 'feed-page'],
      ['/tags/', 'section'],
      ['/tags/climate/', 'section'],
      ['/science/photos/lab.jpg', 'media'],
    ];
    expect(cases.map(([target]) => [target, routeLabel(target)])).toEqual(cases);
  });

  it('reads targets with BASE_URL\'s path in front as the app routes them', () => {
    const cases: [string, string][] = [
      ['/news/', 'home'],
      ['/news', 'home'],
      ['/news/world/rss.xml', 'feed'],
      ['/news/tags/climate/atom.xml?page=3', 'feed-page'],
      ['/news/world/some-article', 'article'],
      ['/news/readyz', 'health'],
      ['/world/rss.xml', 'feed'],
    ];
    expect(cases.map(([target]) => [target, routeLabel(target, '/news')])).toEqual(cases);
  });
});
