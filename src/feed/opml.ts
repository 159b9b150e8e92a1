// OPML 2.0 (http://opml.org/spec2.opml) subscription lists, written by hand from a small model:
// the list's title and date, and its outlines, each a feed or a group of feeds.
import { escapeAttribute, escapeText } from './escape.ts';

/** One subscription: a feed, named, with the page it mirrors. */
export interface OpmlFeed {
  /** Plain text. */
  text: string;
  /** Absolute URL of the feed. */
  xmlUrl: string;
  /** Absolute URL of its HTML page. */
  htmlUrl: string;
}

/** A group outline (no feed of its own) around feeds, which readers keep as a folder. */
export interface OpmlGroup {
  /** Plain text. */
  title: string;
  feeds: OpmlFeed[];
}

export interface OpmlList {
  /** Plain text. */
  title: string;
  /** `dateModified`: give the newest article's date, not "now", so the list changes only when the site does. */
  modified: Date;
  /** The top-level outlines, in order; a group without feeds is left out. */
  outlines: (OpmlFeed | OpmlGroup)[];
}

const INDENT = '  ';

/** Renders `list` as an OPML 2.0 document; identical input gives identical bytes. */
export function renderOpml(list: OpmlList): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeText(list.title)}</title>`,
    `    <dateModified>${list.modified.toUTCString()}</dateModified>`,
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
    ...list.outlines.flatMap((outline) => ('feeds' in outline ? group(outline, 2) : [feed(outline, 2)])),
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

function group({ title, feeds }: OpmlGroup, depth: number): string[] {
  if (feeds.length === 0) return [];
  const indent = INDENT.repeat(depth);
  return [
    `${indent}<outline text="${escapeAttribute(title)}" title="${escapeAttribute(title)}">`,
    ...feeds.map((each) => feed(each, depth + 1)),
    `${indent}</outline>`,
  ];
}

// type="rss" is OPML 2.0's type for a subscription, whatever the feed's format.
function feed({ text, xmlUrl, htmlUrl }: OpmlFeed, depth: number): string {
  const name = escapeAttribute(text);
  return `${INDENT.repeat(depth)}<outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeAttribute(xmlUrl)}" htmlUrl="${escapeAttribute(htmlUrl)}"/>`;
}
