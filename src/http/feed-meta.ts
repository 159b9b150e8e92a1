// The meta of a feed document from its query and listing: id, title, description and home page
// of a section's, a term's or the combined feed, its URL in every format, RFC 5005 paging links,
// hubs, stylesheet, language, and the newest item's date.
import type { SiteConfig } from '../site/config.ts';
import { FEED_FORMATS, type FeedFormat } from '../feed/formats.ts';
import type { FeedMeta, FeedPaging } from '../feed/types.ts';
import type { ListedArticle } from '../store/types.ts';
import { absolute, feedPath, pagePath, termFeedPath, termPath } from '../site/url-scheme.ts';
import { feedQueryString, type FeedQuery } from './feed-query.ts';

/** A document's meta, which carries its URL in every registered format. */
export type DocumentMeta = FeedMeta & { links: Record<FeedFormat, string> };

/**
 * The meta of page `query.page` of `lastPage`, listing `items`; `termName` is the tag's or
 * author's display name (the store's), for a term's feed.
 */
export function feedMeta(site: SiteConfig, query: FeedQuery, lastPage: number, hubs: string[], items: ListedArticle[], termName?: string): DocumentMeta {
  const { section, page, limit, explicitLimit } = query;
  const term = query.tag !== undefined ? { kind: 'tag' as const, slug: query.tag } : query.author !== undefined ? { kind: 'author' as const, slug: query.author } : undefined;
  const pathOf = (format: FeedFormat) => (term ? termFeedPath(format, term.kind, term.slug) : feedPath(format, section));
  const linksFor = (target: number) =>
    Object.fromEntries(
      FEED_FORMATS.map((format) => [format, absolute(site, pathOf(format)) + feedQueryString(target, limit, explicitLimit)]),
    ) as Record<FeedFormat, string>;
  const paging: FeedPaging | undefined =
    lastPage > 1
      ? {
          first: linksFor(1),
          last: linksFor(lastPage),
          ...(page > 1 ? { previous: linksFor(page - 1) } : {}),
          ...(page < lastPage ? { next: linksFor(page + 1) } : {}),
        }
      : undefined;
  const sectionName = items[0]?.sectionName;
  // Feed-level updated is the newest item's date, never "now": unchanged content, unchanged bytes.
  const updated = items.reduce(
    (newest, { article }) => Math.max(newest, article.updatedAt.getTime(), article.publishedAt.getTime()),
    0,
  );
  // What every feed's meta carries besides its id, title, description and home page.
  const shared = { links: linksFor(page), ...(paging ? { paging } : {}), hubs, stylesheet: absolute(site, '/feed.css'), language: site.language, updated: new Date(updated) };
  if (term) {
    const name = termName ?? term.slug;
    return {
      // Distinct from every section feed's id: no section slug contains a "/".
      id: `tag:${site.idAuthority},2026:feed${termPath(term.kind, term.slug).replace(/\/$/, '')}`,
      title: `${site.title} — ${term.kind}: ${name}`,
      description: term.kind === 'tag' ? `Latest articles tagged ${name} from ${site.title}` : `Latest articles by ${name} from ${site.title}`,
      homeUrl: absolute(site, termPath(term.kind, term.slug)),
      ...shared,
    };
  }
  return {
    id: `tag:${site.idAuthority},2026:feed${section === undefined ? '' : `/${section}`}`,
    title: sectionName === undefined || section === undefined ? site.title : `${sectionName} | ${site.title}`,
    description:
      sectionName === undefined || section === undefined
        ? `Latest articles from ${site.title}`
        : `Latest ${sectionName} articles from ${site.title}`,
    homeUrl: absolute(site, pagePath(section)),
    ...shared,
  };
}
