// The Markdown format: optional YAML front matter, then a body rendered and sanitised.
import { articleDates } from './article-dates.ts';
import type { ParseContext, ParsedFields } from './context.ts';
import { readFrontMatter } from './front-matter-fields.ts';
import { splitFrontMatter } from './front-matter.ts';
import { renderMarkdown } from './markdown.ts';
import { summarise } from './normalise.ts';
import { reject } from './reject.ts';
import { sanitiseHtml } from './sanitise.ts';

/** Parses a Markdown article: front matter first, then a `# Heading` as the title if needed. */
export function parseMarkdown(context: ParseContext): ParsedFields {
  const { options } = context;
  const { data, body } = splitFrontMatter(context.text);
  const meta = readFrontMatter(data, options.baseUrl);

  const rendered = renderMarkdown(body, meta.title === undefined);
  const title = meta.title ?? rendered.heading;
  if (title === undefined) reject('Markdown file has no title (add `title:` to the front matter)');

  const { publishedAt, updatedAt } = articleDates({
    ...context.times,
    fileName: context.segments.at(-1) ?? '',
    date: meta.date,
    updated: meta.updated,
  });

  const summary =
    meta.summary ?? (rendered.firstParagraph === undefined ? title : summarise(rendered.firstParagraph));
  return {
    section: meta.section ?? (context.folder?.trim() || options.defaultSection.trim()),
    title,
    summary,
    html: sanitiseHtml(rendered.html, options.baseUrl).trim(),
    authors: meta.authors,
    tags: meta.tags,
    ...(meta.image === undefined ? {} : { image: meta.image }),
    ...(meta.attribution === undefined ? {} : { attribution: meta.attribution }),
    publishedAt,
    updatedAt,
    draft: meta.draft,
    ...(meta.id === undefined ? {} : { customId: meta.id }),
  };
}
