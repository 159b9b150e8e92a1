// A feed document's bytes: its format's frame around its items' parts (item-cache.ts keeps them),
// cut to summaries when full content is over the byte budget, and named by a digest of its pieces
// (what its ETag is made of) instead of a hash of the whole.
import { FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';
import { renderFeedFrame, type FeedFrame } from '../feed/fragments.ts';
import type { FeedMeta } from '../feed/types.ts';
import { sha256Hex } from '../site/sha256.ts';
import type { ListedArticle } from '../store/types.ts';
import type { ItemCache, ItemMode } from './item-cache.ts';

/** One document, in pieces until it is joined. */
export interface FeedDocument {
  /** Its length in bytes. */
  bytes: number;
  /** True when full content did not fit the byte budget and items carry summaries only. */
  summariesOnly: boolean;
  /** Names the bytes without hashing them all: from the frame's text and each item's digest. */
  digest(): Promise<string>;
  /** The document in one buffer. */
  join(): Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();
// Bumped when what a document's ETag is computed from changes.
const FRAME_DIGEST = 'doc-1';

/**
 * The document of `format` for `items` under `meta`: with full content when that fits in
 * `maxBytes`, else with every item kept (none may be lost) cut to its summary, which links to the
 * article. Even that may be over the budget: the caller sees `bytes`.
 */
export async function assembleDocument(itemCache: ItemCache, format: FeedFormat, meta: FeedMeta, items: ListedArticle[], maxBytes: number): Promise<FeedDocument> {
  const full = await assemble(itemCache, format, meta, 'full', items);
  return full.bytes > maxBytes ? assemble(itemCache, format, meta, 'summary', items) : full;
}

/** The document of `format` for `items` in `mode`: its frame, and its items from the item cache. */
async function assemble(itemCache: ItemCache, format: FeedFormat, meta: FeedMeta, mode: ItemMode, items: ListedArticle[]): Promise<FeedDocument> {
  let withBodies = FORMAT_DEFINITIONS[format].dependsOnBodies && mode === 'full';
  let parts = await itemCache.parts({ format, mode, withBodies }, items);
  // Such a format (RSS: xmlns:dc) writes its documents differently when no item has a body.
  if (withBodies && !parts.some((part) => part.hasBody)) {
    withBodies = false;
    parts = await itemCache.parts({ format, mode, withBodies }, items);
  }
  const frame = renderFeedFrame(format, meta, withBodies);
  const pieces = parts.length === 0 ? [encoder.encode(frame.empty)] : framed(frame, parts.map((part) => part.bytes));
  return {
    bytes: pieces.reduce((sum, piece) => sum + piece.byteLength, 0),
    summariesOnly: mode === 'summary',
    digest: () => sha256Hex(encoder.encode([FRAME_DIGEST, frame.head, frame.separator, frame.tail, frame.empty, ...parts.map((part) => part.digest)].join('\u0000')), 12),
    join: () => concat(pieces),
  };
}

/** The document's pieces in order: head, items with separators between them, tail. */
function framed(frame: FeedFrame, items: Uint8Array[]): Uint8Array[] {
  const separator = encoder.encode(frame.separator);
  const pieces: Uint8Array[] = [encoder.encode(frame.head)];
  items.forEach((item, index) => pieces.push(...(index === 0 ? [item] : [separator, item])));
  pieces.push(encoder.encode(frame.tail));
  return pieces;
}

function concat(pieces: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.byteLength;
  }
  return bytes;
}
