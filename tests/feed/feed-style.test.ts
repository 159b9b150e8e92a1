import { describe, expect, it } from 'vitest';
import { FEED_STYLESHEET } from '../../src/feed/feed-style.ts';

describe('FEED_STYLESHEET', () => {
  it('is ASCII only, so it reads the same under any charset', () => {
    expect(FEED_STYLESHEET).toMatch(/^[\x09\x0A\x20-\x7E]*$/);
  });

  it('loads nothing from elsewhere: its only url() values are namespace names', () => {
    const urls = [...FEED_STYLESHEET.matchAll(/url\(([^)]*)\)/g)].map((match) => match[1]);
    expect(urls).toEqual([
      'http://www.w3.org/2005/Atom',
      'http://purl.org/rss/1.0/modules/content/',
      'http://purl.org/dc/elements/1.1/',
    ]);
    expect(FEED_STYLESHEET).not.toMatch(/@import/);
  });

  it('declares every namespace prefix its selectors use', () => {
    const declared = [...FEED_STYLESHEET.matchAll(/@namespace (\w+) url/g)].map((match) => match[1]);
    const used = new Set([...FEED_STYLESHEET.matchAll(/(\w+)\|\w/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it('balances its braces and quotes', () => {
    expect(FEED_STYLESHEET.split('{').length).toBe(FEED_STYLESHEET.split('}').length);
    expect((FEED_STYLESHEET.match(/"/g) ?? []).length % 2).toBe(0);
  });

  it('tells a reader who opened the feed in a browser what it is for', () => {
    expect(FEED_STYLESHEET).toMatch(/rss::before, feed::before \{\s*content: "This is a web feed\. Copy its address into a feed reader/);
  });

  it('hides the raw HTML bodies and the machine-only elements of both formats', () => {
    const hidden = FEED_STYLESHEET.match(/([^}]*)\{\s*display: none;\s*\}/)?.[1]?.split(',').map((selector) => selector.trim());
    expect(hidden).toEqual(expect.arrayContaining(['guid', 'content|encoded', 'atom|content', 'atom|id', 'atom|updated']));
  });
});
