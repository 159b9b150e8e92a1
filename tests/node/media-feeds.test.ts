// Images of a real articles folder in the served feeds: lengths and types from the files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const md = (front: string[], body = 'Body.') => ['---', ...front, '---', '', body, ''].join('\n');

let temp: TempDir;
let wirefeed: Wirefeed;

beforeAll(async () => {
  temp = await makeTempDir();
  await temp.write('science/chip.png', new Uint8Array(100));
  await temp.write('science/pic.jpg', new Uint8Array(50));
  await temp.write('science/own.md', md(['title: Own', 'section: Science', 'date: 2025-01-03', 'image: chip.png']));
  await temp.write('science/remote.md', md(['title: Remote', 'section: Science', 'date: 2025-01-02', 'image: https://cdn.example.org/a.webp']));
  await temp.write('science/body.md', md(['title: Body', 'section: Science', 'date: 2025-01-01'], 'See [more](more) and ![A pic](pic.jpg).'));
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', SETTLE_MS: '0', STATE_DIR: 'off' }, { log: () => {} });
});

afterAll(async () => {
  await wirefeed.close();
  await temp.remove();
});

const text = async (path: string) => (await wirefeed.app.request(path)).text();

describe('feeds of articles with images', () => {
  it('gives the site\'s own image an RSS enclosure with the file\'s length and type', async () => {
    const base = wirefeed.config.site.baseUrl;
    const items = (await text('/science/rss.xml')).split('<item>').slice(1);
    expect(items[0]).toContain(`<enclosure url="${base}/science/chip.png" length="100" type="image/png"/>`);
    expect(items[1]).not.toContain('<enclosure');
    expect(items[1]).toContain('<media:thumbnail url="https://cdn.example.org/a.webp"/>');
    // The body's first image, with relative URLs in the body made absolute against the file's folder.
    expect(items[2]).toContain(`<enclosure url="${base}/science/pic.jpg" length="50" type="image/jpeg"/>`);
    expect(items[2]).toContain(`<a href="${base}/science/more">more</a>`);
    expect(items[2]).toContain(`<img src="${base}/science/pic.jpg" alt="A pic">`);
    const json = JSON.parse(await text('/science/feed.json'));
    expect(json.items[0].attachments).toEqual([{ url: `${base}/science/chip.png`, mime_type: 'image/png', size_in_bytes: 100 }]);
    expect(await text('/science/atom.xml')).toContain(`<link rel="enclosure" href="${base}/science/chip.png" type="image/png" length="100"/>`);
    // The enclosure's URL is served.
    expect((await wirefeed.app.request('/science/chip.png')).headers.get('content-length')).toBe('100');
  });

  it('renders the item again with the new length once the image is replaced and the section changes', async () => {
    await temp.write('science/chip.png', new Uint8Array(200));
    await temp.write('science/later.md', md(['title: Later', 'section: Science', 'date: 2025-01-04']));
    await waitFor(async () => (await text('/science/rss.xml')).includes('length="200" type="image/png"'), { what: 'the new length in the feed' });
  });
});
