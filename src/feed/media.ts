// An item's picture as each format writes it: RSS <enclosure> and Media RSS, Atom's enclosure
// link, JSON Feed's attachment. The facts come with the item (FeedItem.imageMedia).
import { optionalUri } from './escape.ts';
import type { FeedItem } from './types.ts';

/** Media RSS (https://www.rssboard.org/media-rss), declared on every RSS document's <rss>. */
export const MEDIA_NAMESPACE = 'http://search.yahoo.com/mrss/';

export interface ItemMedia {
  /** Absolute URI, in the form the other links are written. */
  url: string;
  type?: string;
  length?: number;
  /** Media RSS `medium`. */
  medium?: 'image' | 'audio' | 'video';
}

/** The item's picture, or undefined when it has none (or its URL is not absolute). */
export function itemMedia(item: FeedItem): ItemMedia | undefined {
  const url = optionalUri(item.image);
  if (url === undefined) return undefined;
  const type = item.imageMedia?.type;
  const kind = type?.split('/')[0];
  const medium = kind === 'image' || kind === 'audio' || kind === 'video' ? kind : undefined;
  return { url, type, length: item.imageMedia?.length, medium };
}
