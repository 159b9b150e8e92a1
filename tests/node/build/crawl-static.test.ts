// Every link of a `wirefeed build` export resolves on a real static server: the crawl corpus
// (Wikinews plus images, tags and authors: tests/helpers/crawl-corpus.ts) built with buildSite
// into a temp folder and served by nginx the way README "Static export" says a host serves it
// (try_files, the `?page=N` rewrite, the build's `_headers`; tests/helpers/nginx.ts). The crawl
// from `/` follows pages, feeds, OPML and media files; then the Node server over the same folder
// and BASE_URL is crawled too, and both must serve the same URLs with the same types and bytes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../../src/node/build/build-site.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeCrawlCorpus, missingFromCrawl } from '../../helpers/crawl-corpus.ts';
import { crawlDifferences, crawlKeeping } from '../../helpers/crawl-site.ts';
import { freePort, nginxMissing, startNginx, staticSiteServer, type RunningNginx } from '../../helpers/nginx.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';

const missing = nginxMissing();
const quiet = () => {};

// Without nginx the suite is skipped with the reason, except under CI, where it runs and fails.
describe.skipIf(missing !== undefined && !process.env.CI)(`a static build served by nginx${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let corpus: TempDir;
  let temp: TempDir;
  let nginx: RunningNginx | undefined;
  let wirefeed: Wirefeed | undefined;
  let base: string;
  let articles: number;
  let crawled: Awaited<ReturnType<typeof crawlKeeping>>;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    corpus = await makeCrawlCorpus();
    temp = await makeTempDir('wirefeed-static-');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const www = join(temp.dir, 'www');
    const summary = await buildSite({ dir: corpus.dir, out: www, env: { BASE_URL: base, STATE_DIR: 'off' }, log: quiet });
    articles = summary.articles;
    expect(summary.skipped).toEqual([]);
    nginx = await startNginx(temp.dir, [staticSiteServer(port, www, await readFile(join(www, '_headers'), 'utf8'))], [port]);
    crawled = await crawlKeeping(base);
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await wirefeed?.close();
    await temp?.remove();
    await corpus?.remove();
  });

  it('answers 200 for every link its pages, feeds, OPML and media give, later pages of feeds included', () => {
    expect(crawled.broken).toEqual([]);
    expect(missingFromCrawl(crawled, base, articles)).toEqual([]);
    // `?page=2` is page 2 (the README's rewrite), not page 1 again.
    expect(crawled.answers.get(`${base}/rss.xml?page=2`)?.sha256).not.toBe(crawled.answers.get(`${base}/rss.xml`)?.sha256);
    expect(crawled.answers.get(`${base}/images/Caf%C3%A9%20turbine.jpg`)?.type).toBe('image/jpeg');
  });

  it('serves every URL the Node server links for the same folder and BASE_URL, with its Content-Type and bytes', async () => {
    wirefeed = await startWirefeed({ ARTICLES_DIR: corpus.dir, BASE_URL: base, STATE_DIR: 'off', PORT: '0', HOST: '127.0.0.1' }, { log: quiet });
    const node = await crawlKeeping(base, `http://127.0.0.1:${wirefeed.port}`);
    expect(node.broken).toEqual([]);
    expect(crawlDifferences(node.answers, crawled.answers, ['node', 'nginx'])).toEqual([]);
  }, 60_000);
});
