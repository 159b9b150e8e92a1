// Feed documents in parts: each item's markup, rendered once per article version and kept, and
// the document's frame around the items. For every meta and items,
//   assembleFeed(renderFeedFrame(f, meta, declaresDc(items)), items.map((i) => renderItemFragment(f, i, declaresDc(items))))
// is byte for byte the document of `f` (renderRss, renderAtom, renderJsonFeed).
import { renderAtomEntry, renderAtomFrame } from './atom.ts';
import { assembleFeed, type FeedFrame } from './frame.ts';
import { renderJsonFeedFrame, renderJsonFeedItem } from './json-feed.ts';
import { declaresDc, renderRssFrame, renderRssItem } from './rss.ts';
import type { FeedItem, FeedMeta } from './types.ts';

export { assembleFeed, declaresDc, type FeedFrame };

export type FragmentFormat = 'rss' | 'atom' | 'json';

/**
 * One item's markup as it appears inside a document of `format`, wherever it stands. RSS only:
 * `dcDeclared` says whether the document declares xmlns:dc on <rss> (then items do not repeat
 * the declaration on dc:creator); pass `declaresDc` of the document's items.
 */
export function renderItemFragment(format: FragmentFormat, item: FeedItem, dcDeclared: boolean): string {
  switch (format) {
    case 'rss':
      return renderRssItem(item, dcDeclared);
    case 'atom':
      return renderAtomEntry(item);
    case 'json':
      return renderJsonFeedItem(item);
  }
}

/** The document of `format` around the items; RSS only: `dcDeclared` as for `renderItemFragment`. */
export function renderFeedFrame(format: FragmentFormat, meta: FeedMeta, dcDeclared: boolean): FeedFrame {
  switch (format) {
    case 'rss':
      return renderRssFrame(meta, dcDeclared);
    case 'atom':
      return renderAtomFrame(meta);
    case 'json':
      return renderJsonFeedFrame(meta);
  }
}
