// A same-site crawler for link tests: from the start paths, fetch every URL of the site that a
// page, feed or OPML document names, follow redirects itself, and report every URL that does not
// end in a 200. Works against any target (a Node server, a static export behind a file server, the
// Worker, any of them behind a proxy), given a fetch.

/** One URL that did not end in a 200, the document that named it, and why. */
export interface BrokenLink {
  url: string;
  /** The final status; 0 when the URL was not fetched (see `reason`). */
  status: number;
  from: string;
  /** Set for what the status alone does not say: a redirect off the site, a link outside the base path. */
  reason?: string;
}

/** What a crawl found: every URL fetched, and the broken ones with their status and where they were named. */
export interface CrawlResult {
  /** Every URL fetched, redirect targets included, in the order fetched. */
  visited: string[];
  broken: BrokenLink[];
  /** Links that leave the site (not fetched: the tests run offline), by URL. */
  external: Set<string>;
}

export interface CrawlOptions {
  /** Paths under `baseUrl` to start from (`/` is `baseUrl/` itself, the default). */
  start?: string[];
  /** Most URLs to fetch: a crawl past it throws, since a link generator runs away. */
  limit?: number;
  /** Fetches at a time. */
  concurrency?: number;
  /**
   * When `baseUrl` has a path (`http://host/news`): a link to its origin outside that path is
   * broken rather than external, since a site under a prefix must never send readers out of it.
   */
  confine?: boolean;
}

// Entity-escaped ampersands, as pages (`&amp;`) and feeds (`&#x26;`) write them inside URLs.
const AMPERSAND = /&(?:amp|#x26|#38);/gi;
const ATTRIBUTE_URL = /\b(?:href|src|url|xmlUrl|htmlUrl)="([^"]*)"/g;
const ELEMENT_URL = /<(?:link|guid|dc:source|creativeCommons:license|uri|id)>([^<]+)<\//g;
const JSON_URL = /"(?:url|external_url|home_page_url|feed_url|next_url|image|banner_image)": "([^"]+)"/g;
const MAX_REDIRECTS = 5;

/**
 * Crawls the site at `baseUrl` from `start` with `fetchUrl`. A URL is part of the site when it
 * starts with `baseUrl` followed by `/`, `?` or nothing. A 3xx answer is followed here, hop by
 * hop, and is broken when it leads off the site; so that redirects are seen at all, `fetchUrl`
 * must not follow them itself (`fetch(url, { redirect: 'manual' })`).
 */
export async function crawlSite(
  baseUrl: string,
  fetchUrl: (url: string) => Promise<Response>,
  { start = ['/'], limit = 10_000, concurrency = 4, confine = false }: CrawlOptions = {},
): Promise<CrawlResult> {
  const base = new URL(baseUrl);
  const queue = start.map((path) => ({ url: new URL(path.replace(/^\//, ''), `${baseUrl}/`).href, from: '(start)' }));
  const seen = new Set(queue.map(({ url }) => url));
  const result: CrawlResult = { visited: [], broken: [], external: new Set() };
  const inSite = (url: string) => url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);
  const offPrefix = (url: string) => confine && !inSite(url) && new URL(url).origin === base.origin;

  function fetchOnce(url: string): Promise<Response> {
    if (result.visited.length >= limit) throw new Error(`crawl: more than ${limit} URLs; a link generator runs away (last: ${url})`);
    result.visited.push(url);
    return fetchUrl(url);
  }

  async function visit(url: string, from: string): Promise<void> {
    let current = url;
    let response = await fetchOnce(current);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      const next = location === null || !URL.canParse(location, current) ? undefined : new URL(location, current).href;
      if (next === undefined || !inSite(next) || hops === MAX_REDIRECTS) {
        const reason = next === undefined ? 'redirects nowhere' : hops === MAX_REDIRECTS ? `more than ${MAX_REDIRECTS} redirects` : `redirects off the site, to ${next}`;
        result.broken.push({ url, status: response.status, from, reason });
        return;
      }
      current = next;
      seen.add(current);
      response = await fetchOnce(current);
    }
    if (response.status !== 200) {
      result.broken.push({ url, status: response.status, from, ...(current === url ? {} : { reason: `redirected to ${current}` }) });
      await response.body?.cancel();
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!/html|xml|json|opml/.test(type)) {
      await response.body?.cancel();
      return;
    }
    for (const link of linksIn(await response.text(), current, base.origin)) {
      if (seen.has(link)) continue;
      seen.add(link);
      if (offPrefix(link)) result.broken.push({ url: link, status: 0, from: current, reason: `outside ${base.pathname}` });
      else if (!inSite(link)) result.external.add(link);
      else queue.push({ url: link, from: current });
    }
  }

  // A small pool: up to `concurrency` visits at once, each queueing what it finds.
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    const pump = () => {
      while (active < concurrency && queue.length > 0) {
        const { url, from } = queue.shift()!;
        active += 1;
        visit(url, from).then(() => {
          active -= 1;
          pump();
        }, reject);
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return result;
}

/**
 * The http(s) URLs a document names, resolved against `documentUrl`, fragments dropped: URL
 * attributes and elements of pages, feeds and OPML, URL fields of JSON Feed, plus every absolute
 * URL on `origin` anywhere in the text once JSON and markup escapes are undone (links inside feed
 * content, category domains and schemes, whether the content is escaped once or twice).
 */
function linksIn(body: string, documentUrl: string, origin: string): string[] {
  const text = unescapeMarkup(unescapeMarkup(body.replaceAll('\\/', '/').replaceAll('\\"', '"')));
  // A URL ends at white space, a quote or an angle bracket; `'` is a URL character (`it's.jpg`).
  const anywhere = new RegExp(`${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:[/?#][^\\s"<>\\\\]*)?`, 'g');
  const raw = [
    ...[...body.matchAll(ATTRIBUTE_URL)].map((match) => match[1]!),
    ...[...body.matchAll(ELEMENT_URL)].map((match) => match[1]!.trim()),
    ...[...body.matchAll(JSON_URL)].map((match) => JSON.parse(`"${match[1]!}"`) as string),
    ...[...text.matchAll(anywhere)].map((match) => match[0]),
  ];
  const links = new Set<string>();
  for (const value of raw) {
    const unescaped = value.replace(AMPERSAND, '&');
    if (!URL.canParse(unescaped, documentUrl)) continue;
    const url = new URL(unescaped, documentUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    links.add(url.href);
  }
  return [...links];
}

function unescapeMarkup(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(?:39|x27);/g, "'")
    .replace(AMPERSAND, '&');
}

/** The Accept header of a browser: `/status` answers it with its HTML page, which has links of its own. */
export const BROWSER_ACCEPT = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** What one URL answered: status, Content-Type and the SHA-256 of the (decoded) body. */
export interface Answer {
  status: number;
  type: string | null;
  sha256: string;
}

/**
 * Crawls the site at `baseUrl` over HTTP, fetching each URL's path and query from `target` (the
 * origin actually serving the site, when it differs from BASE_URL's; by default `baseUrl`
 * itself), redirects seen, not followed by fetch, with `headers` on every request. Keeps every
 * answer, so two targets can be compared URL by URL.
 */
export async function crawlKeeping(
  baseUrl: string,
  target = baseUrl,
  { headers, ...options }: CrawlOptions & { headers?: Record<string, string> } = {},
): Promise<CrawlResult & { answers: Map<string, Answer> }> {
  const answers = new Map<string, Answer>();
  const result = await crawlSite(
    baseUrl,
    async (url) => {
      const response = await fetch(target + url.slice(baseUrl.length), { redirect: 'manual', headers });
      const digest = await crypto.subtle.digest('SHA-256', await response.clone().arrayBuffer());
      const sha256 = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
      answers.set(url, { status: response.status, type: response.headers.get('content-type'), sha256 });
      return response;
    },
    options,
  );
  return { ...result, answers };
}

/** Where two crawls of one site disagree, one line per URL: reached by one only, or answered differently. */
export function crawlDifferences(a: Map<string, Answer>, b: Map<string, Answer>, names = ['a', 'b']): string[] {
  const lines: string[] = [];
  for (const url of new Set([...a.keys(), ...b.keys()])) {
    const [left, right] = [a.get(url), b.get(url)];
    if (left === undefined || right === undefined) lines.push(`${url}: reached by ${left ? names[0] : names[1]} only`);
    else if (left.status !== right.status || left.type !== right.type || left.sha256 !== right.sha256) {
      const show = (answer: Answer) => `${answer.status} ${answer.type} ${answer.sha256.slice(0, 12)}`;
      lines.push(`${url}: ${names[0]} ${show(left)}, ${names[1]} ${show(right)}`);
    }
  }
  return lines;
}
