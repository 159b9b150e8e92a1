// OPML 2.0 (http://opml.org/spec2.opml) subscription lists. The default one lists every section
// once, so importing all of it brings each article once; tags and authors have lists of their own
// (an article is in its section's feed and in each of its tags' and authors' feeds, and a reader
// that imports everything would get it two or three times), and so does the combined feed.
// One format per outline: a reader importing a list subscribes once per feed.
import type { SiteConfig } from '../site/config.ts';
import type { SectionInfo } from '../store/types.ts';
import type { TermKind } from '../store/terms.ts';
import { absolute, feedPath, pagePath, termFeedPath, termPath } from '../site/url-scheme.ts';

interface Feed {
  text: string;
  xmlUrl: string;
  htmlUrl: string;
}

/** The default subscription list: a "Sections" group with each section's RSS feed once. */
export function renderOpml(site: SiteConfig, sections: SectionInfo[]): string {
  const feeds = sections.map((section) => ({
    text: section.name,
    xmlUrl: absolute(site, feedPath('rss', section.slug)),
    htmlUrl: absolute(site, pagePath(section.slug)),
  }));
  return document(site, sections, group('Sections', feeds));
}

/** Every tag's (or author's) RSS feed, in a "Tags" ("Authors") group: to import on purpose. */
export function renderTermOpml(site: SiteConfig, kind: TermKind, terms: SectionInfo[]): string {
  const feeds = terms.map((term) => ({
    text: term.name,
    xmlUrl: absolute(site, termFeedPath('rss', kind, term.slug)),
    htmlUrl: absolute(site, termPath(kind, term.slug)),
  }));
  return document(site, terms, group(kind === 'tag' ? 'Tags' : 'Authors', feeds));
}

/** The combined feed alone: everything in one subscription, for readers that want just that. */
export function renderCombinedOpml(site: SiteConfig, sections: SectionInfo[]): string {
  const feed = { text: `${site.title} (all sections)`, xmlUrl: absolute(site, feedPath('rss')), htmlUrl: absolute(site, pagePath()) };
  return document(site, sections, [outline(feed, '    ')]);
}

/** A group outline (no feed of its own) around `feeds`, which readers keep as a folder; nothing for an empty group. */
function group(title: string, feeds: Feed[]): string[] {
  if (feeds.length === 0) return [];
  return [`    <outline text="${attribute(title)}" title="${attribute(title)}">`, ...feeds.map((feed) => outline(feed, '      ')), '    </outline>'];
}

function outline({ text, xmlUrl, htmlUrl }: Feed, indent: string): string {
  return `${indent}<outline type="rss" text="${attribute(text)}" title="${attribute(text)}" xmlUrl="${attribute(xmlUrl)}" htmlUrl="${attribute(htmlUrl)}"/>`;
}

function document(site: SiteConfig, dated: SectionInfo[], body: string[]): string {
  const newest = dated.reduce((latest, entry) => Math.max(latest, entry.updatedAt.getTime()), 0);
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
    ...body,
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
