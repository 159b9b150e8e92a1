// A crawler for tests: from a start URL, follows every link on the site's origin found in the
// pages and feeds it fetches, and reports each that does not end in a 200 or leaves the prefix.

export interface CrawlResult {
  /** Every URL fetched (without fragment), in the order first seen. */
  visited: string[];
  /** What went wrong, one line per URL: a status other than 200, a redirect out of the prefix. */
  problems: string[];
}

const MAX_REDIRECTS = 5;

/**
 * Crawls from `start`. Links are absolute URLs on `start`'s origin anywhere in a body (HTML
 * href/src, RSS/Atom <link>, guid and atom:link, JSON Feed url/next_url/home_page_url/feed_url,
 * OPML xmlUrl/htmlUrl, whether escaped once or twice), and relative href/src in HTML. Every one
 * must lie under `prefix` (e.g. `/news/`), as must every redirect on the way to its 200.
 */
export async function crawl(start: string, prefix: string, { concurrency = 8, limit = 5000 } = {}): Promise<CrawlResult> {
  const origin = new URL(start).origin;
  const seen = new Set<string>([start]);
  const queue = [start];
  const problems: string[] = [];
  const inPrefix = (url: URL) => url.origin === origin && url.pathname.startsWith(prefix);

  async function visit(url: string): Promise<void> {
    let current = url;
    for (let hops = 0; ; hops++) {
      const response = await fetch(current, { redirect: 'manual' });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get('Location');
        const next = location === null ? undefined : new URL(location, current);
        if (!next || !inPrefix(next)) return void problems.push(`${url}: ${response.status} to ${location} leaves ${prefix}`);
        if (hops === MAX_REDIRECTS) return void problems.push(`${url}: more than ${MAX_REDIRECTS} redirects`);
        current = next.href;
        continue;
      }
      const body = await response.text();
      if (response.status !== 200) return void problems.push(`${url}: ${response.status}${current === url ? '' : ` (at ${current})`}`);
      for (const link of linksIn(body, current, origin, response.headers.get('Content-Type') ?? '')) {
        const target = new URL(link);
        target.hash = '';
        if (!inPrefix(target)) {
          problems.push(`${current} links to ${link}, outside ${prefix}`);
          continue;
        }
        if (!seen.has(target.href) && seen.size < limit) {
          seen.add(target.href);
          queue.push(target.href);
        }
      }
      return;
    }
  }

  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (active < concurrency && queue.length > 0) {
        const url = queue.shift()!;
        active += 1;
        visit(url).then(
          () => {
            active -= 1;
            pump();
          },
          reject,
        );
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return { visited: [...seen], problems };
}

/** The links of `body` that point at `origin`, absolute. */
function linksIn(body: string, base: string, origin: string, contentType: string): string[] {
  const found = new Set<string>();
  // JSON strings may escape "/" as "\/"; markup escapes "&" (and escaped HTML inside a feed twice).
  const text = unescapeMarkup(unescapeMarkup(body.replaceAll('\\/', '/')));
  const absolute = new RegExp(`${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:[/?#][^\\s"'<>\\\\]*)?`, 'g');
  for (const match of text.matchAll(absolute)) found.add(match[0]);
  if (contentType.startsWith('text/html')) {
    for (const match of text.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const url = new URL(match[1]!, base);
      if (url.origin === origin) found.add(url.href);
    }
  }
  return [...found];
}

function unescapeMarkup(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(?:39|x27);/g, "'")
    .replace(/&amp;/g, '&');
}
