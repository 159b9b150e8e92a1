// The output formats, in one table: each renderer file defines its format (format-definition.ts)
// and this list registers it. A new format is a renderer file and a line here; routes, discovery
// links, WebSub topics, the static export and the caches all read the table.
import { ATOM_FORMAT } from './atom.ts';
import type { FeedFormatDefinition } from './format-definition.ts';
import { JSON_FEED_FORMAT } from './json-feed.ts';
import { RSS_FORMAT } from './rss.ts';

// In the order pages list them and routes are made.
const REGISTERED = [RSS_FORMAT, ATOM_FORMAT, JSON_FEED_FORMAT] as const;

/** A registered format's name: `rss`, `atom`, `json`. */
export type FeedFormat = (typeof REGISTERED)[number]['name'];

/** Every format's name, in the order pages list them. */
export const FEED_FORMATS: readonly FeedFormat[] = REGISTERED.map((format) => format.name);

/** Each format's definition by name: file name, content type, label, frame and item renderers. */
export const FORMAT_DEFINITIONS = Object.fromEntries(REGISTERED.map((format) => [format.name, format])) as {
  readonly [Name in FeedFormat]: FeedFormatDefinition<Name>;
};
