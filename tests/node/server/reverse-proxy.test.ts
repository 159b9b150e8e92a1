// wirefeed behind a real nginx under a sub-path (BASE_URL=http://127.0.0.1:PORT/news), with
// the Wikinews corpus with images, tags and authors (tests/helpers/crawl-corpus.ts): one server
// block strips /news before proxying, one passes it through, one serves a static build
// (`wirefeed build`) from files. From /news/ the crawl follows every link in pages, feeds, the
// OPML and media; each must end in a 200 without a link or redirect leaving /news/. nginx adds
// X-Forwarded-For, which TRUST_PROXY lets the publish API's bad-token limit read.
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../../src/node/build/build-site.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeCrawlCorpus, missingFromCrawl } from '../../helpers/crawl-corpus.ts';
import { crawlSite } from '../../helpers/crawl-site.ts';
import { freePort, nginxMissing, startNginx, type RunningNginx } from '../../helpers/nginx.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';

const TOKEN = 'reverse-proxy-token-0123456789';
const quiet = () => {};
const missing = nginxMissing();

// Without nginx the suite is skipped with the reason, except under CI, where it runs and fails.
describe.skipIf(missing !== undefined && !process.env.CI)(`behind nginx under /news/${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let temp: TempDir;
  let corpus: TempDir;
  let nginx: RunningNginx | undefined;
  const apps: Wirefeed[] = [];
  const ports = { strip: 0, pass: 0, files: 0 };
  const base = (port: number) => `http://127.0.0.1:${port}/news`;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    temp = await makeTempDir('wirefeed-proxy-');
    corpus = await makeCrawlCorpus();
    const articles = corpus.dir;
    ports.strip = await freePort();
    ports.pass = await freePort();
    ports.files = await freePort();
    const env = { ARTICLES_DIR: articles, PORT: '0', HOST: '127.0.0.1', STATE_DIR: 'off', PUBLISH_TOKEN: TOKEN };
    // Only nginx (127.0.0.1) is trusted: the test's clients connect from other loopback addresses.
    const strip = await startWirefeed({ ...env, BASE_URL: base(ports.strip), TRUST_PROXY: '127.0.0.1' }, { log: quiet });
    apps.push(strip);
    const pass = await startWirefeed({ ...env, BASE_URL: base(ports.pass), TRUST_PROXY: 'loopback' }, { log: quiet });
    apps.push(pass);
    // Files at the root of the output folder, which nginx serves under /news/.
    await buildSite({ dir: articles, out: join(temp.dir, 'www', 'news'), env: { BASE_URL: base(ports.files), STATE_DIR: 'off' }, log: quiet });
    const forwarded = 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;';
    nginx = await startNginx(
      temp.dir,
      [
        `    listen 127.0.0.1:${ports.strip};\n    location /news/ { proxy_pass http://127.0.0.1:${strip.port}/; ${forwarded} }`,
        `    listen 127.0.0.1:${ports.pass};\n    location /news/ { proxy_pass http://127.0.0.1:${pass.port}; ${forwarded} }`,
        `    listen 127.0.0.1:${ports.files};\n    root ${join(temp.dir, 'www')};\n    location /news/ { try_files $uri $uri.html $uri/index.html =404; }`,
      ],
      Object.values(ports),
    );
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(apps.map((app) => app.close()));
    await temp?.remove();
    await corpus?.remove();
  });

  describe.each([
    ['strips the prefix', 'strip'],
    ['passes the prefix through', 'pass'],
    ['serves the static build', 'files'],
  ] as const)('when nginx %s', (_name, mode) => {
    it('resolves every link in pages, feeds, the OPML and media to a 200 under /news/', async () => {
      const result = await crawlSite(base(ports[mode]), (url) => fetch(url, { redirect: 'manual' }), { confine: true });
      expect(result.broken).toEqual([]);
      // The crawl reached every kind of document: not a vacuous pass.
      const { articles } = (await (await fetch(`http://127.0.0.1:${apps[0]!.port}/status`)).json()) as { articles: number };
      expect(missingFromCrawl(result, base(ports[mode]), articles)).toEqual([]);
    }, 120_000);
  });

  describe.each([
    ['strips the prefix', 'strip'],
    ['passes the prefix through', 'pass'],
  ] as const)('when nginx %s', (_name, mode) => {
    it('redirects within the prefix: a section without its slash, a feed query, /news itself', async () => {
      const section = await fetch(`${base(ports[mode])}/politics-and-conflicts`, { redirect: 'manual' });
      expect(section.status).toBe(301);
      expect(new URL(section.headers.get('Location')!, section.url).href).toBe(`${base(ports[mode])}/politics-and-conflicts/`);
      const feed = await fetch(`${base(ports[mode])}/rss.xml?page=1`, { redirect: 'manual' });
      expect(feed.status).toBe(301);
      expect(new URL(feed.headers.get('Location')!, feed.url).href).toBe(`${base(ports[mode])}/rss.xml`);
      const home = await fetch(base(ports[mode]));
      expect(home.url).toBe(`${base(ports[mode])}/`);
      expect(home.status).toBe(200);
    });
  });

  it('locks out only the client behind nginx that sent 21 bad tokens, whatever X-Forwarded-For it makes up (TRUST_PROXY=127.0.0.1)', async () => {
    const statuses: number[] = [];
    // The attacker connects from 127.0.0.2, an address TRUST_PROXY does not trust, and sends a
    // new made-up X-Forwarded-For each time; nginx appends 127.0.0.2, which is the key.
    for (let i = 0; i < 21; i++) statuses.push(await listFiles(ports.strip, '127.0.0.2', `guess-${i}`, `198.51.100.${i + 1}`));
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    expect(await listFiles(ports.strip, '127.0.0.2', TOKEN)).toBe(429);
    expect(await listFiles(ports.strip, '127.0.0.3', TOKEN)).toBe(200);
  });

  it('locks out only the forwarded client that sent 21 bad tokens (TRUST_PROXY=loopback: the test is a trusted outer proxy)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await listFiles(ports.pass, '127.0.0.2', `guess-${i}`, '198.51.100.66'));
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    expect(await listFiles(ports.pass, '127.0.0.2', TOKEN, '198.51.100.66')).toBe(429);
    expect(await listFiles(ports.pass, '127.0.0.2', TOKEN, '203.0.113.7')).toBe(200);
  });
});

/** GET /news/api/articles through nginx from the local address `from`; resolves to the status. */
function listFiles(port: number, from: string, token: string, forwardedFor?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (forwardedFor) headers['X-Forwarded-For'] = forwardedFor;
    const req = request({ host: '127.0.0.1', port, localAddress: from, path: '/news/api/articles', headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode!));
    });
    req.once('error', reject);
    req.end();
  });
}
