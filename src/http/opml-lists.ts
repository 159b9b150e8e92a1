// The site's OPML subscription lists (feed/opml.ts writes them). The default one lists every
// section once, so importing all of it brings each article once; tags and authors have lists of
// their own (an article is in its section's feed and in each of its tags' and authors' feeds, and a
// reader that imports everything would get it two or three times), and so does the combined feed.
// One format per outline: a reader importing a list subscribes once per feed.
import type { SiteConfig } from '../site/config.ts';
import { renderOpml, type OpmlFeed, type OpmlList } from '../feed/opml.ts';
import type { SectionInfo } from '../store/types.ts';
import type { TermKind } from '../store/terms.ts';
import { absolute, feedPath, pagePath, termFeedPath, termPath } from '../site/url-scheme.ts';

/** The default subscription list: a "Sections" group with each section's RSS feed once. */
export function sectionsOpml(site: SiteConfig, sections: SectionInfo[]): string {
  const feeds = sections.map((section) => ({
    text: section.name,
    xmlUrl: absolute(site, feedPath('rss', section.slug)),
    htmlUrl: absolute(site, pagePath(section.slug)),
  }));
  return renderOpml(list(site, sections, [{ title: 'Sections', feeds }]));
}

/** Every tag's (or author's) RSS feed, in a "Tags" ("Authors") group: to import on purpose. */
export function termsOpml(site: SiteConfig, kind: TermKind, terms: SectionInfo[]): string {
  const feeds = terms.map((term) => ({
    text: term.name,
    xmlUrl: absolute(site, termFeedPath('rss', kind, term.slug)),
    htmlUrl: absolute(site, termPath(kind, term.slug)),
  }));
  return renderOpml(list(site, terms, [{ title: kind === 'tag' ? 'Tags' : 'Authors', feeds }]));
}

/** The combined feed alone: everything in one subscription, for readers that want just that. */
export function combinedFeedOpml(site: SiteConfig, sections: SectionInfo[]): string {
  const feed: OpmlFeed = { text: `${site.title} (all sections)`, xmlUrl: absolute(site, feedPath('rss')), htmlUrl: absolute(site, pagePath()) };
  return renderOpml(list(site, sections, [feed]));
}

/** A list titled after the site, dated by the newest article of `dated`. */
function list(site: SiteConfig, dated: SectionInfo[], outlines: OpmlList['outlines']): OpmlList {
  const newest = dated.reduce((latest, entry) => Math.max(latest, entry.updatedAt.getTime()), 0);
  return { title: site.title, modified: new Date(newest), outlines };
}
