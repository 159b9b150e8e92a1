// The app's answers that need no router: a feed's canonical URL whose document is cached and
// current, answered by a server in front of the app (src/node/server/fast-path.ts) before Hono.
import type { Hono } from 'hono';
import type { EncodingChoices } from './encoding-choices.ts';
import type { FeedCache } from './feed-cache.ts';
import type { FeedQuery } from './feed-query.ts';
import type { FeedAnswer, FeedResponder } from './feed-response.ts';
import { feedQueryOf } from './request-target.ts';
import { stripBasePath } from '../site/url-scheme.ts';

/** What a server in front of the app may answer by itself (src/node/server/fast-path.ts). */
export interface FeedFastPath {
  /**
   * The app's answer to a GET (`head` false) or HEAD of `target`, the request target as sent (path
   * and query), when that is a feed's canonical URL and everything the answer needs is at hand:
   * the document cached and current, the Accept-Encoding value seen before, its variant made.
   * Undefined otherwise: then the app answers. `header` reads a request header as Headers.get
   * would (lower-case name; null when absent; repeated fields joined with ", ").
   */
  answer(target: string, head: boolean, header: (name: string) => string | null | undefined): FeedAnswer | undefined;
}

const fastPaths = new WeakMap<Hono, FeedFastPath>();

/** The fast path of an app made by createApp. */
export function feedFastPath(app: Hono): FeedFastPath | undefined {
  return fastPaths.get(app);
}

/** What the fast path reads: the app's own feed cache, responder and encoding choices. */
export interface FastPathParts {
  basePath: string;
  feedLimit: number;
  feeds: FeedCache;
  responder: FeedResponder;
  negotiated: EncodingChoices;
}

/** Gives `app` its fast path, answering exactly as the app's feed routes would. */
export function attachFastPath(app: Hono, { basePath, feedLimit, feeds, responder, negotiated }: FastPathParts): void {
  /** Feed request targets read before (bounded: emptied when full). */
  const targets = new Map<string, FeedQuery>();
  fastPaths.set(app, {
    answer(requestTarget, head, header) {
      // The same prefix rule as the app's routes (routedPath), on the target as sent.
      const target = stripBasePath(requestTarget, basePath);
      let query = targets.get(target);
      if (query === undefined) {
        query = feedQueryOf(target, feedLimit);
        if (query === undefined) return undefined;
        if (targets.size >= 1000) targets.clear();
        targets.set(target, query);
      }
      const feed = feeds.peek(query);
      if (!feed) return undefined;
      const encoding = negotiated.known(header('accept-encoding'));
      const variant = encoding && responder.prepared(feed, encoding);
      if (!variant) return undefined;
      return responder.answer(variant, {
        head,
        ifNoneMatch: header('if-none-match'),
        ifModifiedSince: header('if-modified-since'),
        secFetchDest: header('sec-fetch-dest'),
      });
    },
  });
}
