// The tag and author pages: every tag (or author) with its feeds, and one tag's (or author's)
// articles, newest first. Pure functions of their data, escaped by hono/html.
import { html } from 'hono/html';
import type { SiteConfig } from '../site/config.ts';
import type { ListedArticle, SectionInfo } from '../store/types.ts';
import type { TermKind } from '../store/terms.ts';
import { absolute, articlePath, feedPath, pagePath, termPath } from '../site/url-scheme.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS } from '../feed/formats.ts';
import { formatDate, layout, termFeedLinks } from './layout.ts';

const HEADINGS: Record<TermKind, { plural: string; singular: string }> = {
  tag: { plural: 'Tags', singular: 'Tag' },
  author: { plural: 'Authors', singular: 'Author' },
};

/**
 * `GET /tags/` or `/authors/`: every tag (author) with its article count and feeds. `section` is a
 * section whose slug is `tags` (`authors`): its page would be at this URL, which the listing
 * keeps, so its feeds are linked from here (its articles stay at `/tags/{article}`).
 */
export function termIndexPage(site: SiteConfig, kind: TermKind, terms: SectionInfo[], section?: SectionInfo) {
  const { plural } = HEADINGS[kind];
  return layout({
    site,
    title: `${plural} | ${site.title}`,
    body: html`<h1>${plural}</h1>
<p>${terms.length} ${plural.toLowerCase()}. Each has its own feeds.</p>
${section ? html`<p>The section ${section.name} (${section.articles} articles) has its feeds here too: ${FEED_FORMATS.map((format) => html`<a href="${absolute(site, feedPath(format, section.slug))}">${FORMAT_DEFINITIONS[format].label}</a> `)}</p>` : ''}
<table>
<thead><tr><th>${HEADINGS[kind].singular}</th><th>Articles</th><th>Feeds</th></tr></thead>
<tbody>
${terms.map(
  (term) => html`<tr><td><a href="${absolute(site, termPath(kind, term.slug))}">${term.name}</a></td><td>${term.articles}</td><td>${termFeedLinks(site, kind, term.slug)}</td></tr>
`,
)}</tbody>
</table>`,
  });
}

/** `GET /tags/{tag}/?page=N` or `/authors/{author}/…`: one page of its articles, newest first. */
export function termPage(
  site: SiteConfig,
  kind: TermKind,
  term: { slug: string; name: string; articles: number },
  items: ListedArticle[],
  page: number,
  pageSize: number,
) {
  const base = absolute(site, termPath(kind, term.slug));
  const older = page * pageSize < term.articles ? html`<a rel="next" href="${base}?page=${page + 1}">Older articles</a>` : '';
  const newer = page > 1 ? html`<a rel="prev" href="${page === 2 ? base : `${base}?page=${page - 1}`}">Newer articles</a> ` : '';
  const heading = kind === 'tag' ? `Tagged ${term.name}` : `By ${term.name}`;
  return layout({
    site,
    title: `${heading} | ${site.title}`,
    term: { kind, slug: term.slug, name: term.name },
    body: html`<p class="meta"><a href="${absolute(site, termPath(kind))}">${HEADINGS[kind].plural}</a></p>
<h1>${heading}</h1>
<p>${term.articles} articles. Subscribe: ${termFeedLinks(site, kind, term.slug)}</p>
<ul class="items">
${items.map(
  ({ article, slug, sectionName }) => html`<li><a href="${absolute(site, articlePath(article.sectionSlug, slug))}">${article.title}</a>
<div class="meta">${formatDate(article.publishedAt)} · <a href="${absolute(site, pagePath(article.sectionSlug))}">${sectionName}</a></div></li>
`,
)}</ul>
<p>${newer}${older}</p>`,
  });
}
