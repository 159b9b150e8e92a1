// Checks that a served body is whole and well-formed, whatever the server was doing meanwhile:
// decoded per Content-Encoding, XML through saxes, JSON Feed through JSON.parse plus its
// required fields (JSON Feed 1.1: version, title, items; each item an id and content).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';

/** The body's text after undoing `Content-Encoding`; throws when the bytes do not decode. */
export function decodeBody(body: Buffer, contentEncoding: string | undefined): string {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  const bytes = encoding === 'gzip' ? gunzipSync(body) : encoding === 'br' ? brotliDecompressSync(body) : encoding === 'identity' ? body : undefined;
  if (!bytes) throw new Error(`unknown Content-Encoding "${contentEncoding}"`);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** What a feed document held: its format and item count. */
export interface FeedShape {
  format: 'rss' | 'atom' | 'json';
  items: number;
}

/** Parses a feed by its Content-Type; throws with the reason when it is malformed. */
export function checkFeed(contentType: string, text: string): FeedShape {
  if (/json/.test(contentType)) return checkJsonFeed(text);
  if (/xml/.test(contentType)) return checkXmlFeed(text);
  throw new Error(`not a feed type: "${contentType}"`);
}

function checkJsonFeed(text: string): FeedShape {
  const feed = JSON.parse(text) as Record<string, unknown>;
  if (feed.version !== 'https://jsonfeed.org/version/1.1') throw new Error(`JSON Feed version is ${String(feed.version)}`);
  if (typeof feed.title !== 'string' || !Array.isArray(feed.items)) throw new Error('JSON Feed lacks title or items');
  for (const item of feed.items as Record<string, unknown>[]) {
    if (typeof item.id !== 'string' || item.id === '') throw new Error('JSON Feed item without id');
    if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') throw new Error(`item ${item.id} has no content`);
  }
  return { format: 'json', items: feed.items.length };
}

// Per item, the children RSS 2.0 / RFC 4287 make it unusable without.
const REQUIRED = { item: ['title', 'guid', 'link'], entry: ['id', 'title', 'updated'] } as const;

function checkXmlFeed(text: string): FeedShape {
  const parser = new SaxesParser({ xmlns: true });
  const stack: string[] = [];
  let root: string | undefined;
  let items = 0;
  let children: Set<string> | undefined;
  parser.on('opentag', (tag) => {
    root ??= tag.local;
    if (children && stack.length === (root === 'rss' ? 3 : 2)) children.add(tag.local);
    if ((tag.local === 'item' && root === 'rss') || (tag.local === 'entry' && root === 'feed')) children = new Set();
    stack.push(tag.local);
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (children && (tag.local === 'item' || tag.local === 'entry')) {
      const missing = REQUIRED[tag.local].filter((name) => !children!.has(name));
      if (missing.length > 0) throw new Error(`${tag.local} ${items + 1} lacks ${missing.join(', ')}`);
      items += 1;
      children = undefined;
    }
  });
  // saxes throws on the first well-formedness error, with line and column.
  parser.write(text).close();
  if (root !== 'rss' && root !== 'feed') throw new Error(`root element is <${root}>`);
  return { format: root === 'rss' ? 'rss' : 'atom', items };
}
