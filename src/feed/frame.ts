// A feed document as its frame around the items' markup, and how the XML renderers learn both
// from `feed`'s own output: the frame from a document holding two copies of a probe item, an
// item's markup from a one-item document, cut where the frame says. `feed` stays the generator
// of every byte; this module only cuts, and throws when the output is not laid out as expected.
import type { FeedItem, FeedMeta } from './types.ts';

/** The document around the items. */
export interface FeedFrame {
  /** Everything before the first item, its indentation included. */
  head: string;
  /** What stands between two items. */
  separator: string;
  /** Everything after the last item. */
  tail: string;
  /** The whole document when there are no items. */
  empty: string;
}

/** `head` + the fragments joined by `separator` + `tail`, or `empty` for no fragments. */
export function assembleFeed(frame: FeedFrame, fragments: string[]): string {
  if (fragments.length === 0) return frame.empty;
  return frame.head + fragments.join(frame.separator) + frame.tail;
}

/**
 * The meta of the documents items are cut from. An item's markup does not depend on the
 * document around it, so any valid meta does; a fixed one lets its frame be learnt once.
 */
export const CUTTING_META: FeedMeta = {
  id: 'tag:wirefeed.invalid,2026:fragment',
  title: 'fragment',
  description: 'fragment',
  homeUrl: 'https://wirefeed.invalid/',
  links: {
    rss: 'https://wirefeed.invalid/rss.xml',
    atom: 'https://wirefeed.invalid/atom.xml',
    json: 'https://wirefeed.invalid/feed.json',
  },
  hubs: [],
  language: 'en',
  updated: new Date(0),
};

/** The stand-in item frames are learnt with; `withBody` decides whether it has content (RSS declares namespaces for it). */
export function probeItem(withBody: boolean): FeedItem {
  return {
    id: 'tag:wirefeed.invalid,2026:probe',
    url: 'https://wirefeed.invalid/probe',
    title: 'probe',
    summary: 'probe',
    ...(withBody ? { html: '<p>probe</p>' } : {}),
    authors: [],
    tags: [],
    category: { name: 'probe', slug: 'probe', url: 'https://wirefeed.invalid/' },
    publishedAt: new Date(0),
    updatedAt: new Date(0),
  };
}

/**
 * The frame of `twoProbes`, a document holding the same probe item twice, each written from
 * `open` to `close` (`<item>`…`</item>`): what precedes the first, stands between the two and
 * follows the second. Every text the renderers write before the items is escaped (no literal
 * `<`), so the first `open` starts the first probe; the check that the second copy is the same
 * markup catches any other layout. `renderer` names the caller in the error.
 */
export function cutFrame(twoProbes: string, open: string, close: string, renderer: string): Omit<FeedFrame, 'empty'> {
  const firstStart = twoProbes.indexOf(open);
  const firstEnd = firstStart < 0 ? -1 : twoProbes.indexOf(close, firstStart);
  const secondStart = firstEnd < 0 ? -1 : twoProbes.indexOf(open, firstEnd);
  const secondEnd = twoProbes.lastIndexOf(close);
  if (firstStart < 0 || firstEnd < 0 || secondStart < 0 || secondEnd < secondStart) {
    throw new Error(`[feed:${renderer}] found no two ${open} elements in feed's output; its format changed`);
  }
  const probe = twoProbes.slice(firstStart, firstEnd + close.length);
  const separator = twoProbes.slice(firstEnd + close.length, secondStart);
  const end = secondEnd + close.length;
  if (twoProbes.slice(secondStart, end) !== probe || !/^\s*$/.test(separator)) {
    throw new Error(`[feed:${renderer}] two equal items are not written alike, whitespace apart, in feed's output; its format changed`);
  }
  return { head: twoProbes.slice(0, firstStart), separator, tail: twoProbes.slice(end) };
}

/**
 * The item's markup in `oneItem`, a one-item document whose frame is `frame`: the bytes between
 * the frame's head and tail, which must start with `open` and end with `close`.
 */
export function cutFragment(
  oneItem: string,
  frame: Omit<FeedFrame, 'empty'>,
  open: string,
  close: string,
  renderer: string,
): string {
  const { head, tail } = frame;
  const fits = oneItem.length >= head.length + tail.length && oneItem.startsWith(head) && oneItem.endsWith(tail);
  const fragment = fits ? oneItem.slice(head.length, oneItem.length - tail.length) : '';
  if (!fragment.startsWith(open) || !fragment.endsWith(close)) {
    throw new Error(`[feed:${renderer}] a one-item document is not its frame around one ${open} element; feed's format changed`);
  }
  return fragment;
}
