// The HTML shell every page shares. Every interpolated value goes through hono/html's
// `html` tag, which escapes it; only the sanitised article body is passed with `raw`.
import { html } from 'hono/html';
import type { SiteConfig } from '../site/config.ts';
import type { TermKind } from '../store/terms.ts';
import { absolute, feedPath, termFeedPath } from '../site/url-scheme.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';

type Html = ReturnType<typeof html>;

export interface LayoutOptions {
  site: SiteConfig;
  title: string;
  /** The section whose feeds this page advertises; omitted = the combined feeds. */
  section?: { slug: string; name: string };
  /** Absolute URL for `<link rel="canonical">`; omitted = none. */
  canonical?: string;
  /** The tag or author whose feeds this page advertises instead of a section's. */
  term?: { kind: TermKind; slug: string; name: string };
  body: Html;
}

const STYLE = `
body{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
a{color:#0b57d0}header a{color:inherit;text-decoration:none}
h1{line-height:1.2}ul.items{list-style:none;padding:0}ul.items li{margin:0 0 1rem}
.meta,.feeds,.credit{color:#5f6368;font-size:.9rem}.feeds a{margin-right:.6rem}
table{border-collapse:collapse}td,th{padding:.25rem .75rem .25rem 0;text-align:left}
article img{max-width:100%;height:auto}`;

/** A complete page with discovery links (`<link rel="alternate">`) for every feed format (feed/formats.ts). */
export function layout({ site, title, section, term, canonical, body }: LayoutOptions): Html {
  const feedName = term ? `${site.title} — ${term.kind}: ${term.name}` : section ? `${section.name} | ${site.title}` : site.title;
  const pathOf = (format: FeedFormat) => (term ? termFeedPath(format, term.kind, term.slug) : feedPath(format, section?.slug));
  return html`<!doctype html>
<html lang="${site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${canonical === undefined ? '' : html`<link rel="canonical" href="${canonical}">
`}${FEED_FORMATS.map(
  (format) =>
    html`<link rel="alternate" type="${FORMAT_DEFINITIONS[format].contentType.split(';')[0]}" title="${feedName} (${FORMAT_DEFINITIONS[format].label})" href="${absolute(site, pathOf(format))}">
`,
)}<style>${STYLE}</style>
</head>
<body>
<header><a href="${absolute(site, '/')}">${site.title}</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Links to one section's (or the combined) feeds in each format. */
export function feedLinks(site: SiteConfig, section?: string): Html {
  return html`<span class="feeds">${FEED_FORMATS.map(
    (format) => html`<a href="${absolute(site, feedPath(format, section))}">${FORMAT_DEFINITIONS[format].label}</a>`,
  )}</span>`;
}

/** A date as shown on pages, in UTC so every server shows the same. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Links to one tag's or author's feeds in each format. */
export function termFeedLinks(site: SiteConfig, kind: TermKind, slug: string): Html {
  return html`<span class="feeds">${FEED_FORMATS.map(
    (format) => html`<a href="${absolute(site, termFeedPath(format, kind, slug))}">${FORMAT_DEFINITIONS[format].label}</a>`,
  )}</span>`;
}
