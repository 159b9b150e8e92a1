// The Node service end to end with a WebSub hub on loopback: file changes and scheduled
// articles reach the hub as publish pings, and scheduled articles go live on their own.
import { createServer, type Server } from 'node:http';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

let temp: TempDir;
let hub: Server;
let pings: string[];
let wirefeed: Wirefeed;
let lines: string[];

beforeEach(async () => {
  temp = await makeTempDir();
  pings = [];
  lines = [];
  hub = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      if (form.get('hub.mode') === 'publish') pings.push(form.get('hub.url')!);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const hubUrl = `http://127.0.0.1:${(hub.address() as { port: number }).port}/`;
  await temp.write('old.txt', txtArticle('World', 'Old news'));
  wirefeed = await startWirefeed(
    { ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', WEBSUB_HUBS: hubUrl },
    { log: (line) => lines.push(line) },
  );
  await wirefeed.intake.watching;
});

afterEach(async () => {
  await wirefeed.close();
  await new Promise((resolve) => hub.close(resolve));
  await temp.remove();
});

const base = () => wirefeed.config.site.baseUrl;
const feed = async (path: string) => (await fetch(`http://127.0.0.1:${wirefeed.port}${path}`)).text();

describe('publishing to WebSub hubs', () => {
  it('pings the hub for the section and combined feeds when a file is added or removed', async () => {
    await temp.write('new.txt', txtArticle('Sports', 'Cup final'));
    const topics = ['rss.xml', 'atom.xml', 'feed.json'].flatMap((file) => [`${base()}/sports/${file}`, `${base()}/${file}`]);
    await waitFor(() => pings.length >= 6, { timeoutMs: 5000, what: 'six pings' });
    expect([...pings].sort()).toEqual([...topics].sort());

    pings.length = 0;
    await rm(join(temp.dir, 'new.txt'));
    await waitFor(() => pings.length >= 6, { timeoutMs: 5000, what: 'six pings after the removal' });
    expect([...pings].sort()).toEqual([...topics].sort());
  });

  it('publishes a scheduled article at its time without a file event, and pings the hub then', async () => {
    const due = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
    await temp.write('embargo.md', `---\ntitle: Embargoed story\nsection: World\ndate: ${due.toISOString()}\n---\nBody.\n`);
    await waitFor(() => lines.some((line) => line.includes('scheduled embargo.md')), { timeoutMs: 2000, what: 'the scheduled line' });
    expect(await feed('/world/rss.xml')).not.toContain('Embargoed story');
    pings.length = 0;

    await waitFor(async () => (await feed('/world/rss.xml')).includes('Embargoed story'), { timeoutMs: 6000, what: 'the article going live' });
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
    await waitFor(() => pings.includes(`${base()}/world/atom.xml`), { timeoutMs: 5000, what: 'the ping at publication' });
    expect(lines.some((line) => line.startsWith('[scheduler] published embargo.md'))).toBe(true);
  });
});
