// One feed document as it is served: its bytes, its validators (a strong ETag per variant, a
// Last-Modified that moves forward with every change) and its compressed variants, each made once,
// on first demand, and kept with it.
import type { Encoder, Encoding } from './compression.ts';

export interface RenderedFeed {
  /** The document, UTF-8 encoded once at render time. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong entity tag of `body`, quoted. Compressed variants add `-br`/`-gzip` inside the quotes. */
  etag: string;
  /** The tags of every variant of this document: any of them names the current content. */
  etags: string[];
  /** When this document's bytes last changed: forward by at least a second per change, never back. */
  lastModified: Date;
  /** The URL this document is served at, as its self link says. */
  selfUrl: string;
  /** True when full content did not fit the byte budget and items carry summaries only. */
  summariesOnly: boolean;
  /** Returns the body in `encoding` (made once, then kept); identity when no encoder is set up. */
  encoded(encoding: Encoding): Promise<{ body: Uint8Array<ArrayBuffer>; etag: string } | undefined>;
}

export interface RenderedFeedOptions extends Omit<RenderedFeed, 'etag' | 'etags' | 'encoded'> {
  /** Names `body` (feed-document.ts `digest`): the ETags are made of it. */
  hash: string;
  encoders: Partial<Record<Encoding, Encoder>>;
  /** Told the size of each variant once made, for the cache that keeps the document to count it. */
  onVariant(feed: RenderedFeed, bytes: number): void;
}

/** The document of `body` as served, with its ETags and variants. */
export function createRenderedFeed({ hash, encoders, onVariant, ...document }: RenderedFeedOptions): RenderedFeed {
  const { body } = document;
  const variants = new Map<Encoding, Promise<Uint8Array<ArrayBuffer>>>();
  const feed: RenderedFeed = {
    ...document,
    etag: `"${hash}"`,
    etags: [`"${hash}"`, ...(['br', 'gzip'] as const).map((encoding) => `"${hash}-${encoding}"`)],
    async encoded(encoding) {
      const encoder = encoders[encoding];
      if (!encoder) return undefined;
      let variant = variants.get(encoding);
      if (!variant) {
        variant = encoder(body);
        variants.set(encoding, variant);
        onVariant(feed, (await variant).byteLength);
      }
      return { body: await variant, etag: `"${hash}-${encoding}"` };
    },
  };
  return feed;
}

/**
 * The Last-Modified of a document whose scope changed at `changed` (ms) and whose previous bytes
 * had `previous`. HTTP dates have one-second resolution: a change within the second of the
 * previous one must still move it, or If-Modified-Since would answer 304 for new bytes.
 */
export function nextLastModified(changed: number, previous: Date | undefined): Date {
  const second = Math.floor(changed / 1000) * 1000;
  return new Date(Math.max(second, (previous?.getTime() ?? -Infinity) + 1000));
}
