// The HTML pages: home, section and article. Pure functions of their data.
import { html, raw } from 'hono/html';
import type { SiteConfig } from '../site/config.ts';
import type { ArticleContent } from '../article/types.ts';
import type { ListedArticle, SectionInfo } from '../store/types.ts';
import { creditHtml } from '../article/credit.ts';
import { articleTerms, type TermKind } from '../store/terms.ts';
import { absolute, articlePath, OPML_FILES, pagePath, termPath } from '../site/url-scheme.ts';
import { feedLinks, formatDate, layout } from './layout.ts';

/** How many tags and authors the home page names; the rest are on `/tags/` and `/authors/`. */
const HOME_TERMS = 40;

/** The most used tags (authors), by name, and a link to all of them. */
function termsLine(site: SiteConfig, kind: TermKind, terms: SectionInfo[]) {
  if (terms.length === 0) return '';
  const shown = [...terms].sort((a, b) => b.articles - a.articles || (a.slug < b.slug ? -1 : 1)).slice(0, HOME_TERMS);
  shown.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return html`<p>Feeds by ${kind}: ${shown.map(
    (term, i) => html`${i > 0 ? ', ' : ''}<a href="${absolute(site, termPath(kind, term.slug))}">${term.name}</a>`,
  )}${terms.length > shown.length ? ' …' : ''} (<a href="${absolute(site, termPath(kind))}">all ${terms.length} ${kind === 'tag' ? 'tags' : 'authors'}</a>)</p>
`;
}

/** `GET /`: every section with its article count and links to its feeds; the tags and authors with feeds of their own. */
export function homePage(site: SiteConfig, sections: SectionInfo[], total: number, tags: SectionInfo[] = [], authors: SectionInfo[] = []) {
  return layout({
    site,
    title: site.title,
    body: html`<h1>${site.title}</h1>
<p>${total} articles in ${sections.length} sections. All sections: ${feedLinks(site)}</p>
<p>Subscribe to every section at once: import <a href="${absolute(site, OPML_FILES.sections)}">feeds.opml</a> into your feed reader.
It lists each section's feed once, so you get every article exactly once. Tag and author feeds repeat articles
of the section feeds, so they come in lists of their own, to import as well only if you want them:
<a href="${absolute(site, OPML_FILES.tag)}">tags.opml</a>, <a href="${absolute(site, OPML_FILES.author)}">authors.opml</a>.
To follow everything as one feed instead, subscribe to the combined feed above, or import
<a href="${absolute(site, OPML_FILES.all)}">all.opml</a>, which lists only that (not as well as feeds.opml: that would bring every article twice).</p>
${termsLine(site, 'tag', tags)}${termsLine(site, 'author', authors)}
<table>
<thead><tr><th>Section</th><th>Articles</th><th>Feeds</th></tr></thead>
<tbody>
${sections.map(
  (section) => html`<tr><td><a href="${absolute(site, pagePath(section.slug))}">${section.name}</a></td><td>${section.articles}</td><td>${feedLinks(site, section.slug)}</td></tr>
`,
)}</tbody>
</table>`,
  });
}

/** `GET /{section}/?page=N`: one page of the section's articles, newest first. */
export function sectionPage(site: SiteConfig, section: SectionInfo, items: ListedArticle[], page: number, pageSize: number) {
  const base = absolute(site, pagePath(section.slug));
  const older = page * pageSize < section.articles ? html`<a rel="next" href="${base}?page=${page + 1}">Older articles</a>` : '';
  const newer = page > 1 ? html`<a rel="prev" href="${page === 2 ? base : `${base}?page=${page - 1}`}">Newer articles</a> ` : '';
  return layout({
    site,
    title: `${section.name} | ${site.title}`,
    section,
    body: html`<h1>${section.name}</h1>
<p>${section.articles} articles. Subscribe: ${feedLinks(site, section.slug)}</p>
<ul class="items">
${items.map(
  ({ article, slug }) => html`<li><a href="${absolute(site, articlePath(section.slug, slug))}">${article.title}</a>
<div class="meta">${formatDate(article.publishedAt)}</div></li>
`,
)}</ul>
<p>${newer}${older}</p>`,
  });
}

/** `GET /{section}/{article}`: the article itself; a note stands in for a body that could not be read. */
export function articlePage(site: SiteConfig, listed: ListedArticle, content: ArticleContent | undefined) {
  const { article, sectionName } = listed;
  const terms = articleTerms(article);
  const links = (kind: TermKind) =>
    terms
      .filter((term) => term.kind === kind)
      .map((term, i) => html`${i > 0 ? ', ' : ''}<a rel="${kind}" href="${absolute(site, termPath(kind, term.slug))}">${term.name}</a>`);
  const authors = terms.some((term) => term.kind === 'author') ? links('author') : '';
  const tags = terms.some((term) => term.kind === 'tag') ? html`<p class="meta">Tags: ${links('tag')}</p>
` : '';
  const credit = creditHtml(article.attribution);
  return layout({
    site,
    title: `${article.title} | ${site.title}`,
    section: { slug: article.sectionSlug, name: sectionName },
    // Front-matter `canonical` where given (the article's original home), else this page itself.
    canonical: article.attribution?.canonical ?? absolute(site, articlePath(article.sectionSlug, listed.slug)),
    body: html`<article>
<p class="meta"><a href="${absolute(site, pagePath(article.sectionSlug))}">${sectionName}</a></p>
<h1>${article.title}</h1>
<p class="meta"><time datetime="${article.publishedAt.toISOString()}">${formatDate(article.publishedAt)}</time>${authors ? html` · ${authors}` : ''}</p>
${content === undefined ? html`<p class="meta">The text of this article cannot be read right now.</p>` : raw(content.html)}
${credit === undefined ? '' : raw(credit)}
${tags}</article>`,
  });
}
