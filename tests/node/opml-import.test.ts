// The OPML subscription list imported by a real feed reader (Debian's newsboat), which then
// fetches every feed it lists.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
let temp: TempDir;
let home: TempDir;
let wirefeed: Wirefeed;

beforeAll(async () => {
  temp = await makeTempDir();
  home = await makeTempDir('wirefeed-newsboat-');
  // Tagged (a trailing Tags line), so tag feeds exist to be left out of the default list.
  await temp.write('a.txt', txtArticle('Politics', 'Vote counted', 'Body text.', 'Tags: Elections, Results'));
  await temp.write('b.txt', txtArticle('Sports', 'Cup final', 'Body text.', 'Tags: Results'));
  await temp.write('c.txt', txtArticle('C++ & <Tech>', 'New compiler'));
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1' }, { log: () => {} });
});

afterAll(async () => {
  await wirefeed?.close();
  await temp?.remove();
  await home?.remove();
});

describe('GET /feeds.opml', () => {
  it('imports into newsboat as one subscription per section: every article once, no feed empty', async () => {
    const opml = await (await fetch(`http://127.0.0.1:${wirefeed.port}/feeds.opml`)).text();
    const file = join(home.dir, 'feeds.opml');
    await writeFile(file, opml);
    const urls = join(home.dir, 'urls');
    const cache = join(home.dir, 'cache.db');
    const env = { ...process.env, HOME: home.dir };
    // newsboat is a Debian package; .ci/run installs it.
    await run('newsboat', ['-u', urls, '-c', cache, '-i', file], { env, timeout: 20_000 });
    const base = wirefeed.config.site.baseUrl;
    const imported = (await readFile(urls, 'utf8')).split('\n').filter(Boolean).map((line) => line.split(' ')[0]);
    expect(imported).toEqual([`${base}/c-and-tech/rss.xml`, `${base}/politics/rss.xml`, `${base}/sports/rss.xml`]);
    // The tag feeds exist, in a list of their own.
    expect((await fetch(`${base}/tags/results/rss.xml`)).status).toBe(200);

    await run('newsboat', ['-u', urls, '-c', cache, '-x', 'reload'], { env, timeout: 30_000 });
    const { stdout } = await run('newsboat', ['-u', urls, '-c', cache, '-x', 'print-unread'], { env, timeout: 20_000 });
    expect(stdout.trim()).toBe('3 unread articles');
    // Every imported feed was fetched: newsboat stored it with the title read from the feed.
    const query = 'import sqlite3,sys,json; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("select rssurl, title from rss_feed order by rssurl").fetchall()))';
    const { stdout: feeds } = await run('python3', ['-c', query, cache]);
    expect(JSON.parse(feeds)).toEqual([
      [`${base}/c-and-tech/rss.xml`, 'C++ & <Tech> | wirefeed'],
      [`${base}/politics/rss.xml`, 'Politics | wirefeed'],
      [`${base}/sports/rss.xml`, 'Sports | wirefeed'],
    ]);
    // Each article once, and each feed shows its own: newsboat keeps one copy per guid, so a list
    // that also held the combined or the tag feeds would leave some of these feeds empty.
    const items = 'import sqlite3,sys,json; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("select feedurl, title from rss_item order by feedurl, title").fetchall()))';
    const { stdout: stored } = await run('python3', ['-c', items, cache]);
    expect(JSON.parse(stored)).toEqual([
      [`${base}/c-and-tech/rss.xml`, 'New compiler'],
      [`${base}/politics/rss.xml`, 'Vote counted'],
      [`${base}/sports/rss.xml`, 'Cup final'],
    ]);
  });
});
