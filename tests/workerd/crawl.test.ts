// Every link of the Worker resolves: the crawl corpus (Wikinews plus images, tags and authors:
// tests/helpers/crawl-corpus.ts) published into the real Worker the way `npm run dev:worker`
// runs it (wrangler.toml, local D1 and R2, no BASE_URL, so links follow the request's origin),
// then crawled from `/`: pages, feeds, OPML and the media files served from R2.
// The Worker is started with wrangler's `unstable_startWorker` (./start-worker.ts, as
// tests/workerd/entry.test.ts starts it) rather than `wrangler dev` as a child process: the
// same config, bundle and workerd, with no second process tree to stop, and ready in seconds. The corpus goes in through `syncFolder`,
// the code of `wirefeed publish`. Then the Node server over the same folder, with the Worker's
// origin as BASE_URL, is crawled too: both must serve the same URLs with the same types and bytes.
// Last, the Worker under a path (BASE_URL …/news, as a Workers route `example.com/news/*` passes
// the prefix through): every link and redirect must stay under /news/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFolder } from '../../src/node/publish/sync-folder.ts';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { CORPUS_MEDIA_PATHS, makeCrawlCorpus, missingFromCrawl } from '../helpers/crawl-corpus.ts';
import { BROWSER_ACCEPT, crawlDifferences, crawlKeeping } from '../helpers/crawl-site.ts';
import { freePort } from '../helpers/free-port.ts';
import type { TempDir } from '../helpers/temp-dir.ts';
import { startWorker } from './start-worker.ts';

const TOKEN = 'crawl-token-0123456789abcdef';
/** From the home page and the HTML status page, as a browser asks for them. */
const AS_BROWSER = { start: ['/', '/status'], headers: BROWSER_ACCEPT };

interface PublishedWorker {
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts the Worker from wrangler.toml with empty local D1 and R2 (on `port`, else any) and
 * publishes the folder `dir` into it with `syncFolder` at `to(origin)`.
 */
async function startPublishedWorker(dir: string, { vars = {}, port = 0, to = (origin: string) => origin } = {}): Promise<PublishedWorker> {
  const { origin, close } = await startWorker({ PUBLISH_TOKEN: TOKEN, ...vars }, { port });
  try {
    const summary = await syncFolder({ dir, to: to(origin), token: TOKEN, concurrency: 4, retries: 0 });
    expect(summary).toMatchObject({ failed: 0, deleted: 0 });
    return { origin, close };
  } catch (error) {
    await close();
    throw error;
  }
}

describe('the Worker with local D1 and R2, fed by wirefeed publish', () => {
  let corpus: TempDir;
  let worker: PublishedWorker | undefined;
  let wirefeed: Wirefeed | undefined;
  let origin: string;
  let crawled: Awaited<ReturnType<typeof crawlKeeping>>;

  beforeAll(async () => {
    corpus = await makeCrawlCorpus();
    worker = await startPublishedWorker(corpus.dir);
    origin = worker.origin;
    crawled = await crawlKeeping(origin, origin, AS_BROWSER);
  }, 120_000);

  afterAll(async () => {
    await wirefeed?.close();
    await worker?.close();
    await corpus?.remove();
  });

  it('answers 200 for every link its pages, feeds, OPML and media give', async () => {
    const status = (await (await fetch(`${origin}/status`)).json()) as { articles: number };
    expect(status.articles).toBeGreaterThan(340);
    expect(crawled.broken).toEqual([]);
    expect(missingFromCrawl(crawled, origin, status.articles)).toEqual([]);
    // The pictures come out of R2 with their own type.
    for (const path of CORPUS_MEDIA_PATHS) {
      const url = `${origin}${path}`;
      expect(crawled.answers.get(url)?.type, url).toBe(path.endsWith('.png') ? 'image/png' : 'image/jpeg');
    }
  });

  it('serves every URL the Node server links for the same folder, with the same Content-Type and bytes', async () => {
    wirefeed = await startWirefeed({ ARTICLES_DIR: corpus.dir, BASE_URL: origin, STATE_DIR: 'off', PORT: '0', HOST: '127.0.0.1' }, { log: () => {} });
    const node = await crawlKeeping(origin, `http://127.0.0.1:${wirefeed.port}`, AS_BROWSER);
    expect(node.broken).toEqual([]);
    // The status page says when each store last changed: its one line that may differ.
    const differences = crawlDifferences(node.answers, crawled.answers, ['node', 'worker']);
    expect(differences.filter((line) => !line.startsWith(`${origin}/status:`))).toEqual([]);
  }, 60_000);
});

describe('the Worker under /news (BASE_URL with a path), fed by wirefeed publish at that path', () => {
  let corpus: TempDir;
  let worker: PublishedWorker | undefined;
  let base: string;

  beforeAll(async () => {
    corpus = await makeCrawlCorpus();
    // BASE_URL names the port, so the port is chosen before the Worker starts.
    const port = await freePort();
    base = `http://127.0.0.1:${port}/news`;
    worker = await startPublishedWorker(corpus.dir, { vars: { BASE_URL: base }, port, to: (origin) => `${origin}/news` });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await corpus?.remove();
  });

  it('answers 200 for every link, without a link or redirect leaving /news/', async () => {
    const status = (await (await fetch(`${base}/status`)).json()) as { articles: number };
    const result = await crawlKeeping(base, base, { ...AS_BROWSER, confine: true });
    expect(result.broken).toEqual([]);
    expect(missingFromCrawl(result, base, status.articles)).toEqual([]);
  }, 60_000);
});
