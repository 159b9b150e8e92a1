// The Markdown format: optional YAML front matter, then a body rendered and sanitised.
import { articleDates } from './article-dates.ts';
import type { ParseContext, ParsedFields } from './context.ts';
import { readFrontMatter } from './front-matter-fields.ts';
import { splitFrontMatter } from './front-matter.ts';
import { renderMarkdown } from './markdown.ts';
import { summarise } from './normalise.ts';
import { reject } from './reject.ts';
import { firstImage, sanitiseHtml } from './sanitise.ts';
import { folderUrlOf } from './resolve-url.ts';

/** Parses a Markdown article: front matter first, then a `# Heading` as the title if needed. */
export function parseMarkdown(context: ParseContext): ParsedFields {
  const { options } = context;
  const { data, body } = splitFrontMatter(context.text);
  // Relative image and link URLs resolve against the file's own folder (README: Media).
  const folderUrl = folderUrlOf(options.baseUrl, context.segments);
  const meta = readFrontMatter(data, options.baseUrl, folderUrl);

  const rendered = renderMarkdown(body, meta.title === undefined);
  const title = meta.title ?? rendered.heading;
  if (title === undefined) reject('Markdown file has no title (add `title:` to the front matter)');

  const { publishedAt, updatedAt } = articleDates({
    ...context.times,
    fileName: context.segments.at(-1) ?? '',
    date: meta.date,
    updated: meta.updated,
  });

  const html = sanitiseHtml(rendered.html, options.baseUrl, folderUrl).trim();
  // Without front-matter `image`, the body's first image is the article's picture in feeds.
  const image = meta.image ?? firstImage(html);
  const summary =
    meta.summary ?? (rendered.firstParagraph === undefined ? title : summarise(rendered.firstParagraph));
  return {
    section: meta.section ?? (context.folder?.trim() || options.defaultSection.trim()),
    title,
    summary,
    html,
    authors: meta.authors,
    tags: meta.tags,
    ...(image === undefined ? {} : { image }),
    ...(meta.attribution === undefined ? {} : { attribution: meta.attribution }),
    publishedAt,
    updatedAt,
    draft: meta.draft,
    ...(meta.id === undefined ? {} : { customId: meta.id }),
  };
}
