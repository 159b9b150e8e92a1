// OPML 2.0 (http://opml.org/spec2.opml) subscription list: every section once, plus the
// combined feed. One format per outline: a reader importing it subscribes once per feed.
import type { SiteConfig } from './config.ts';
import type { SectionInfo } from './store/types.ts';
import { absolute, feedPath, pagePath } from './urls.ts';

/** The subscription list as an OPML 2.0 document, pointing at the RSS feeds. */
export function renderOpml(site: SiteConfig, sections: SectionInfo[]): string {
  const newest = sections.reduce((latest, section) => Math.max(latest, section.updatedAt.getTime()), 0);
  const outline = (text: string, section?: string) =>
    `    <outline type="rss" text="${attribute(text)}" title="${attribute(text)}" xmlUrl="${attribute(
      absolute(site, feedPath('rss', section)),
    )}" htmlUrl="${attribute(absolute(site, pagePath(section)))}"/>`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${text(site.title)}</title>`,
    // The newest article's date, not "now": the document changes only when the site does.
    `    <dateModified>${new Date(newest).toUTCString()}</dateModified>`,
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
    outline(`${site.title} (all sections)`),
    ...sections.map((section) => outline(section.name, section.slug)),
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}
