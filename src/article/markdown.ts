// Markdown body rendering with markdown-it, plus plain text pulled from its tokens.
import MarkdownIt, { type Token } from 'markdown-it';
import { isDateline } from './normalise.ts';

// `html: true` lets raw HTML through to the sanitiser, which is the one place that decides.
// Linkify only catches explicit `https://…` and `www.` links, not `file.txt`-style names.
const md = new MarkdownIt({ html: true, linkify: true, typographer: false });
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

export interface RenderedMarkdown {
  /** Unsanitised HTML: the caller runs it through `sanitiseHtml`. */
  html: string;
  /** Plain text of a leading level-1 heading that was taken out of the body, if asked for. */
  heading?: string;
  /** Plain text of the first real paragraph (datelines skipped), or undefined. */
  firstParagraph?: string;
}

/** Renders a Markdown body; with `takeHeading`, a leading `# Heading` is removed and returned. */
export function renderMarkdown(body: string, takeHeading: boolean): RenderedMarkdown {
  const env = {};
  const tokens = md.parse(body, env);
  let heading: string | undefined;
  const [open, inline] = tokens;
  if (takeHeading && open?.type === 'heading_open' && open.tag === 'h1' && inline?.type === 'inline') {
    // A heading is Markdown source, so `# The *big* day` is "The big day"; raw HTML in it
    // stays literal, like every plain-text title.
    heading = inlineText(inline, true) || undefined;
    if (heading !== undefined) tokens.splice(0, 3);
  }
  return { html: md.renderer.render(tokens, md.options, env), heading, firstParagraph: firstParagraph(tokens) };
}

function firstParagraph(tokens: readonly Token[]): string | undefined {
  for (let index = 0; index < tokens.length; index++) {
    const next = tokens[index + 1];
    if (tokens[index]?.type !== 'paragraph_open' || next?.type !== 'inline') continue;
    const text = inlineText(next, false);
    if (text !== '' && !isDateline(text)) return text;
  }
  return undefined;
}

/** Plain text of an inline token: entities are already decoded by markdown-it. */
function inlineText(inline: Token, keepHtml: boolean): string {
  const parts: string[] = [];
  let hiddenDepth = 0;
  for (const child of inline.children ?? []) {
    if (child.type === 'html_inline' && !keepHtml) {
      // Drop tags; also drop what sits between <script>/<style> tags, as the sanitiser does.
      if (/^<(script|style)\b/i.test(child.content)) hiddenDepth++;
      else if (/^<\/(script|style)\b/i.test(child.content)) hiddenDepth = Math.max(0, hiddenDepth - 1);
      continue;
    }
    if (hiddenDepth > 0) continue;
    if (child.type === 'softbreak' || child.type === 'hardbreak') parts.push(' ');
    else if (child.type === 'image') parts.push(child.children?.map((c) => c.content).join('') ?? '');
    else if (child.type === 'text' || child.type === 'code_inline' || child.type === 'html_inline') {
      parts.push(child.content);
    }
  }
  return parts.join('').replace(/\s+/gu, ' ').trim();
}
