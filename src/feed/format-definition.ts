// What an output format is made of: each renderer file exports one of these, and formats.ts lists
// them; routes, discovery links, WebSub topics, the static export and the caches read that list.
import type { FeedFrame } from './frame.ts';
import type { FeedItem, FeedMeta } from './types.ts';

/**
 * One feed format: where its documents are served, how they are labelled, and how a document is
 * written as a frame around its items' markup (fragments.ts: the two joined are the whole document).
 */
export interface FeedFormatDefinition<Name extends string = string> {
  /** The format's key: in `FeedMeta.links`, in item-cache kind names (stored: never renamed), in metrics. */
  name: Name;
  /** The document's file name under a page's folder: `rss.xml` is served at `/rss.xml` and `/{section}/rss.xml`. */
  file: string;
  /** Its Content-Type, charset included. */
  contentType: string;
  /** What pages call it in their feed links and discovery titles: `RSS`. */
  label: string;
  /**
   * Whether the document is written differently when some item of it carries a body (`carriesBody`
   * in escape.ts): then the frame and every item take `withBodies`, and documents of this format
   * are made for that case and for the other. RSS: xmlns:dc is declared on <rss>, not per item.
   * When false, `withBodies` is ignored.
   */
  dependsOnBodies: boolean;
  /** The document of `meta` around its items. */
  renderFrame(meta: FeedMeta, withBodies: boolean): FeedFrame;
  /** One item's markup as it appears in a document, wherever it stands. */
  renderItem(item: FeedItem, withBodies: boolean): string;
}
