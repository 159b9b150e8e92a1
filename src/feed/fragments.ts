// Feed documents in parts: each item's markup, rendered once per article version and kept, and
// the document's frame around the items. For every format `f`, meta and items,
//   assembleFeed(renderFeedFrame(f, meta, declaresDc(items)), items.map((i) => renderItemFragment(f, i, declaresDc(items))))
// is byte for byte the document of `f` (renderRss, renderAtom, renderJsonFeed).
import { FORMAT_DEFINITIONS, type FeedFormat } from './formats.ts';
import { assembleFeed, type FeedFrame } from './frame.ts';
import { declaresDc } from './rss.ts';
import type { FeedItem, FeedMeta } from './types.ts';

export { assembleFeed, declaresDc, type FeedFrame };

export type FragmentFormat = FeedFormat;

/**
 * One item's markup as it appears inside a document of `format`, wherever it stands.
 * `withBodies` says whether some item of that document carries a body (`declaresDc` of its
 * items); only a format that `dependsOnBodies` reads it (RSS: items then do not repeat the
 * xmlns:dc declaration on dc:creator).
 */
export function renderItemFragment(format: FragmentFormat, item: FeedItem, withBodies: boolean): string {
  return FORMAT_DEFINITIONS[format].renderItem(item, withBodies);
}

/** The document of `format` around the items; `withBodies` as for `renderItemFragment`. */
export function renderFeedFrame(format: FragmentFormat, meta: FeedMeta, withBodies: boolean): FeedFrame {
  return FORMAT_DEFINITIONS[format].renderFrame(meta, withBodies);
}
