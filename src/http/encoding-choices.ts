// The content coding each Accept-Encoding value asks for, chosen once per distinct value.
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { Encoding } from './compression.ts';
import type { FeedEncoding } from './feed-response.ts';

const FEED_ENCODINGS: Encoding[] = ['br', 'gzip'];

/**
 * Accept-Encoding values and what hono/accepts chose for each, so the choice is made once per
 * distinct value; the fast path uses only values the app has seen. Bounded: emptied when full.
 */
export class EncodingChoices {
  readonly #chosen = new Map<string, FeedEncoding>();

  choose(c: Context): FeedEncoding {
    const header = c.req.header('accept-encoding');
    // As accepts() does: no value (or an empty one) is the default.
    if (!header) return 'identity';
    let chosen = this.#chosen.get(header);
    if (chosen === undefined) {
      chosen = accepts(c, { header: 'Accept-Encoding', supports: FEED_ENCODINGS, default: 'identity' }) as FeedEncoding;
      if (this.#chosen.size >= 256) this.#chosen.clear();
      this.#chosen.set(header, chosen);
    }
    return chosen;
  }

  known(header: string | null | undefined): FeedEncoding | undefined {
    return header ? this.#chosen.get(header) : 'identity';
  }
}

