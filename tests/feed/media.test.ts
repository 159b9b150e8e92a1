// An item's picture in each format: RSS <enclosure> + Media RSS, Atom enclosure link, JSON Feed attachment.
import { parseFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feed/atom.ts';
import { renderJsonFeed } from '../../src/feed/json-feed.ts';
import { renderRss } from '../../src/feed/rss.ts';
import { makeItem, makeMeta } from './fixtures.ts';

const OWN = makeItem({ image: 'https://example.com/images/chip.png?x=1&y=2', imageMedia: { type: 'image/png', length: 1234 } });
const REMOTE = makeItem({ id: 'tag:example.com,2024:remote', image: 'https://cdn.example.org/a.jpg', imageMedia: { type: 'image/jpeg' } });
const UNKNOWN = makeItem({ id: 'tag:example.com,2024:unknown', image: 'https://cdn.example.org/picture' });
const NONE = makeItem({ id: 'tag:example.com,2024:none', image: undefined });

describe('renderRss with images', () => {
  const xml = renderRss(makeMeta(), [OWN, REMOTE, UNKNOWN, NONE]);
  const items = xml.split('<item>').slice(1);

  it('declares the Media RSS namespace on <rss>', () => {
    expect(xml).toMatch(/<rss version="2\.0"[^>]* xmlns:media="http:\/\/search\.yahoo\.com\/mrss\/">/);
  });

  it('writes a complete <enclosure> for the site\'s own file, with media:content and media:thumbnail', () => {
    expect(items[0]).toContain('<enclosure url="https://example.com/images/chip.png?x=1&#x26;y=2" length="1234" type="image/png"/>');
    expect(items[0]).toContain('<media:content url="https://example.com/images/chip.png?x=1&#x26;y=2" type="image/png" fileSize="1234" medium="image"/>');
    expect(items[0]).toContain('<media:thumbnail url="https://example.com/images/chip.png?x=1&#x26;y=2"/>');
  });

  it('writes no <enclosure> for an image of unknown length, but keeps the Media RSS elements', () => {
    expect(items[1]).not.toContain('<enclosure');
    expect(items[1]).toContain('<media:content url="https://cdn.example.org/a.jpg" type="image/jpeg" medium="image"/>');
    expect(items[1]).toContain('<media:thumbnail url="https://cdn.example.org/a.jpg"/>');
    expect(items[2]).toContain('<media:content url="https://cdn.example.org/picture"/>');
    expect(items[3]).not.toMatch(/<enclosure|<media:/);
  });

  it('reads back through a feed parser', () => {
    const { feed } = parseFeed(xml) as { feed: any };
    expect(feed.items[0].enclosures).toEqual([{ url: 'https://example.com/images/chip.png?x=1&y=2', length: 1234, type: 'image/png' }]);
    expect(feed.items[1].enclosures).toBeUndefined();
  });
});

describe('renderAtom with images', () => {
  const xml = renderAtom(makeMeta(), [OWN, REMOTE, UNKNOWN, NONE]);
  const entries = xml.split('<entry>').slice(1);

  it('writes an enclosure link with type and length when known', () => {
    expect(entries[0]).toContain('<link rel="enclosure" href="https://example.com/images/chip.png?x=1&#x26;y=2" type="image/png" length="1234"/>');
    expect(entries[1]).toContain('<link rel="enclosure" href="https://cdn.example.org/a.jpg" type="image/jpeg"/>');
    expect(entries[2]).toContain('<link rel="enclosure" href="https://cdn.example.org/picture"/>');
    expect(entries[3]).not.toContain('rel="enclosure"');
    expect(xml).not.toContain('wirefeed-enclosure');
  });
});

describe('renderJsonFeed with images', () => {
  const { items } = JSON.parse(renderJsonFeed(makeMeta(), [OWN, REMOTE, UNKNOWN, NONE]));

  it('writes image, and an attachment when the type is known', () => {
    expect(items[0].image).toBe('https://example.com/images/chip.png?x=1&y=2');
    expect(items[0].attachments).toEqual([{ url: 'https://example.com/images/chip.png?x=1&y=2', mime_type: 'image/png', size_in_bytes: 1234 }]);
    expect(items[1].attachments).toEqual([{ url: 'https://cdn.example.org/a.jpg', mime_type: 'image/jpeg' }]);
    expect(items[2].image).toBe('https://cdn.example.org/picture');
    expect(items[2].attachments).toBeUndefined();
    expect(items[3].image).toBeUndefined();
  });
});
