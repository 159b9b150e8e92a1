// startWirefeed with BASE_URL under a path: it says at start which section a proxy stripping
// the prefix cannot reach (README, Proxies and sub-paths).
import { afterEach, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';

let temp: TempDir;
let wirefeed: Wirefeed | undefined;

afterEach(async () => {
  await wirefeed?.close();
  await temp.remove();
});

it('warns once at start about a section named like the prefix, and not about the others', async () => {
  temp = await makeTempDir();
  await temp.write('news/flood.txt', txtArticle('News', 'Flood warning'));
  await temp.write('politics/talks.txt', txtArticle('Politics', 'Talks continue'));
  const lines: string[] = [];
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', STATE_DIR: 'off', BASE_URL: 'https://example.com/news' }, { log: (line) => lines.push(line) });
  expect(lines.filter((line) => line.startsWith('[config]'))).toEqual([
    '[config] section "news" is named like BASE_URL\'s path /news: a proxy that strips /news cannot reach it (its URLs arrive looking like /news/...); pass the prefix through, or rename the section',
  ]);
});
