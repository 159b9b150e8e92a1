// A same-origin crawler for link tests: from the start paths, fetch every URL of the site that a
// page, feed or OPML document names, and report the ones that do not answer 200. Works against
// any target (a Node server, a static export behind a file server, the Worker), given a fetch.

/** What a crawl found: every URL fetched, and the broken ones with their status and where they were named. */
export interface CrawlResult {
  visited: string[];
  broken: Array<{ url: string; status: number; from: string }>;
  /** Links that leave the site (not fetched: the tests run offline), by URL. */
  external: Set<string>;
}

// Entity-escaped ampersands, as pages (`&amp;`) and feeds (`&#x26;`) write them inside URLs.
const AMPERSAND = /&(?:amp|#x26|#38);/gi;
const ATTRIBUTE_URL = /\b(?:href|src|url|xmlUrl|htmlUrl)="([^"]*)"/g;
const ELEMENT_URL = /<(?:link|guid|dc:source|creativeCommons:license|uri|id)>([^<]+)<\//g;
const JSON_URL = /"(?:url|external_url|home_page_url|feed_url|next_url|image|banner_image)": "([^"]+)"/g;

/**
 * Crawls the site at `baseUrl` from `start` with `fetchUrl`, following at most `limit` URLs.
 * A URL counts as part of the site when it starts with `baseUrl` followed by `/`, `?` or nothing.
 */
export async function crawlSite(
  baseUrl: string,
  fetchUrl: (url: string) => Promise<Response>,
  { start = ['/'], limit = 10_000 }: { start?: string[]; limit?: number } = {},
): Promise<CrawlResult> {
  const queue = start.map((path) => ({ url: new URL(path, `${baseUrl}/`).href, from: '(start)' }));
  const seen = new Set(queue.map(({ url }) => url));
  const result: CrawlResult = { visited: [], broken: [], external: new Set() };
  const inSite = (url: string) => url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);
  while (queue.length > 0) {
    const { url, from } = queue.shift()!;
    if (result.visited.length >= limit) throw new Error(`crawl: more than ${limit} URLs; a link generator runs away (last: ${url})`);
    result.visited.push(url);
    const response = await fetchUrl(url);
    if (response.status !== 200) {
      result.broken.push({ url, status: response.status, from });
      await response.body?.cancel();
      continue;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!/html|xml|json|opml/.test(type)) {
      await response.body?.cancel();
      continue;
    }
    for (const link of linksIn(await response.text(), url)) {
      if (!inSite(link)) {
        result.external.add(link);
        continue;
      }
      if (seen.has(link)) continue;
      seen.add(link);
      queue.push({ url: link, from: url });
    }
  }
  return result;
}

/** The http(s) URLs a document names in links, resolved against `documentUrl`, fragments dropped. */
function linksIn(body: string, documentUrl: string): string[] {
  const raw = [
    ...[...body.matchAll(ATTRIBUTE_URL)].map((match) => match[1]!),
    ...[...body.matchAll(ELEMENT_URL)].map((match) => match[1]!.trim()),
    ...[...body.matchAll(JSON_URL)].map((match) => JSON.parse(`"${match[1]!}"`) as string),
  ];
  const links: string[] = [];
  for (const value of raw) {
    if (!URL.canParse(value.replace(AMPERSAND, '&'), documentUrl)) continue;
    const url = new URL(value.replace(AMPERSAND, '&'), documentUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    links.push(url.href);
  }
  return links;
}
