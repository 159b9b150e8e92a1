// The stylesheet the RSS and Atom documents name in their xml-stylesheet instruction. Browsers are
// dropping XSLT (whatwg/html#11523), but they still apply CSS to XML elements by name, which is
// enough to make a raw feed readable and to say what it is for.

/**
 * CSS that lays out an RSS 2.0 or Atom 1.0 document opened in a browser, served at `/feed.css`.
 * ASCII only (the ellipsis is the CSS escape `\2026`), so it reads the same under any charset; no
 * external resources. In an XML document every element is inline and shown, so the rules name the
 * parts to show as blocks and hide the rest. Unprefixed selectors match an element of that name in
 * any namespace; the prefixes pick Atom and module elements out where names clash (RSS `link`
 * holds a URL, Atom `link` is empty).
 */
export const FEED_STYLESHEET = String.raw`@namespace atom url(http://www.w3.org/2005/Atom);
@namespace content url(http://purl.org/rss/1.0/modules/content/);
@namespace dc url(http://purl.org/dc/elements/1.1/);

rss, feed {
  display: block;
  max-width: 46rem;
  margin: 2rem auto;
  padding: 0 1rem;
  font-family: system-ui, sans-serif;
  line-height: 1.5;
  color: #1f2328;
  background: #fff;
}

rss::before, feed::before {
  content: "This is a web feed. Copy its address into a feed reader (Feedly, NetNewsWire, Miniflux, newsboat\2026) to subscribe.";
  display: block;
  background: #fff8c5;
  padding: .75em;
  border-radius: .375em;
}

channel {
  display: block;
}

channel > title, atom|feed > atom|title {
  display: block;
  margin: 1rem 0 .25rem;
  font-size: 2em;
  font-weight: bold;
}

channel > description, atom|subtitle {
  display: block;
  color: #59636e;
}

item, atom|entry {
  display: block;
  margin: 1.5em 0;
  padding-top: 1.5em;
  border-top: 1px solid #d1d9e0;
}

item > title, atom|entry > atom|title {
  display: block;
  font-size: 1.25em;
  font-weight: 600;
}

item > link, atom|entry > atom|link:not([rel]), pubDate, atom|published {
  display: block;
  font-size: .85em;
  color: #59636e;
  overflow-wrap: anywhere;
}

atom|entry > atom|link:not([rel])::after {
  content: attr(href);
}

item > description, atom|summary {
  display: block;
  margin: .5em 0;
}

dc|creator, atom|entry > atom|author {
  display: inline-block;
  margin-right: .75em;
  font-size: .85em;
  color: #59636e;
}

category {
  display: inline-block;
  margin-right: .4em;
  padding: 0 .5em;
  font-size: .8em;
  background: #eef1f4;
  border-radius: 1em;
}

atom|category::after {
  content: attr(term);
}

atom|category[label]::after {
  content: attr(label);
}

channel > link, lastBuildDate, docs, generator, language, guid, content|encoded, atom|link,
atom|id, atom|updated, atom|feed > atom|author, atom|content, atom|email, atom|uri {
  display: none;
}
`;
