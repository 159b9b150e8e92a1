// The answers to a feed request, prepared once per document version: for each variant
// (identity, gzip, br) the response headers of a 200 (with the feed's own Content-Type or the
// one browsers get) and of a 304, so a request only picks one. The app's feed route and the
// Node server's fast path (src/node/server/fast-path.ts) both answer from here, so they agree.
import type { Encoding } from './compression.ts';
import type { RenderedFeed } from './rendered-feed.ts';
import { isNotModifiedBy, type Validators } from './conditional.ts';

export type FeedEncoding = Encoding | 'identity';

/** One variant of one document, with its headers ready to send. */
export interface PreparedVariant {
  body: Uint8Array<ArrayBuffer>;
  /** The document's validators: the tag of any variant names the current content. */
  validators: Validators;
  /** Header records as Headers would list them (lower-case names, sorted), frozen. */
  ok: Readonly<Record<string, string>>;
  okForBrowser: Readonly<Record<string, string>>;
  notModified: Readonly<Record<string, string>>;
}

/** The request fields a feed answer depends on, as Headers.get gives them (null when absent). */
export interface FeedRequest {
  head: boolean;
  ifNoneMatch: string | null | undefined;
  ifModifiedSince: string | null | undefined;
  secFetchDest: string | null | undefined;
}

export interface FeedAnswer {
  status: 200 | 304;
  headers: Readonly<Record<string, string>>;
  /** Null for a 304 and for HEAD. */
  body: Uint8Array<ArrayBuffer> | null;
}

export interface FeedResponder {
  /** The variant, prepared now if it is not yet (making the encoding if needed). */
  prepare(feed: RenderedFeed, encoding: FeedEncoding): Promise<PreparedVariant>;
  /** The variant if it is prepared already; undefined when `prepare` has not finished it. */
  prepared(feed: RenderedFeed, encoding: FeedEncoding): PreparedVariant | undefined;
  /** The answer to `request` from a prepared variant. */
  answer(variant: PreparedVariant, request: FeedRequest): FeedAnswer;
}

export interface FeedResponderOptions {
  /** Headers every feed response carries (Cache-Control, Vary, CORS). */
  headers: Record<string, string>;
  /** WebSub hubs, advertised in `Link` headers with the document's self link. */
  hubs: string[];
}

// Chromium shows application/rss+xml and application/atom+xml as plain source text, so a person
// opening a feed would never see its xml-stylesheet. A top-level navigation (Sec-Fetch-Dest:
// document, which only browsers send) gets the same bytes as application/xml, which browsers
// render with the stylesheet; feed readers keep the registered types.
const BROWSER_XML_TYPE = 'application/xml; charset=utf-8';

/** Creates the per-document answer cache; entries go with their RenderedFeed. */
export function createFeedResponder({ headers, hubs }: FeedResponderOptions): FeedResponder {
  const documents = new WeakMap<RenderedFeed, Partial<Record<FeedEncoding, PreparedVariant>>>();

  function prepared(feed: RenderedFeed, encoding: FeedEncoding): PreparedVariant | undefined {
    return documents.get(feed)?.[encoding];
  }

  async function prepare(feed: RenderedFeed, encoding: FeedEncoding): Promise<PreparedVariant> {
    const ready = prepared(feed, encoding);
    if (ready) return ready;
    // The feed makes each encoding once, however many requests wait for it.
    const variant = encoding === 'identity' ? undefined : await feed.encoded(encoding);
    const made = build(feed, variant ? encoding : 'identity', variant);
    let variants = documents.get(feed);
    if (!variants) documents.set(feed, (variants = {}));
    return (variants[encoding] ??= made);
  }

  function build(feed: RenderedFeed, encoding: FeedEncoding, variant: { body: Uint8Array<ArrayBuffer>; etag: string } | undefined): PreparedVariant {
    const body = variant?.body ?? feed.body;
    const common: Record<string, string> = {
      ETag: variant?.etag ?? feed.etag,
      'Last-Modified': feed.lastModified.toUTCString(),
      ...headers,
      ...hubLinks(hubs, feed),
    };
    const full = (contentType: string) =>
      record({
        ...common,
        'Content-Type': contentType,
        'Content-Length': String(body.byteLength),
        ...(encoding === 'identity' ? {} : { 'Content-Encoding': encoding }),
      });
    const ok = full(feed.contentType);
    return {
      body,
      validators: { etag: feed.etags, lastModified: feed.lastModified },
      ok,
      okForBrowser: feed.contentType.includes('+xml') ? full(BROWSER_XML_TYPE) : ok,
      // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would, and no body.
      notModified: record(common),
    };
  }

  return {
    prepare,
    prepared,
    answer(variant, request) {
      if (isNotModifiedBy(request.ifNoneMatch, request.ifModifiedSince, variant.validators)) {
        return { status: 304, headers: variant.notModified, body: null };
      }
      return {
        status: 200,
        headers: request.secFetchDest === 'document' ? variant.okForBrowser : variant.ok,
        body: request.head ? null : variant.body,
      };
    },
  };
}

/** WebSub §4: the hub and self links, also as HTTP `Link` headers. */
function hubLinks(hubs: string[], feed: RenderedFeed): Record<string, string> {
  if (hubs.length === 0) return {};
  return { Link: [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${feed.selfUrl}>; rel="self"`].join(', ') };
}

/** Headers as a Headers object normalises them (names lower-cased and sorted), frozen. */
function record(init: Record<string, string>): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(new Headers(init)));
}
