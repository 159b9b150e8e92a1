// Classic XSS payloads, and an articles folder built from them: in .txt titles and bodies, in
// Markdown titles, bodies, authors, tags and summaries, in section names and in file names.
// Every payload that ran would set `window.__pwned` and most would also call alert().
import { SECTION_MAX } from '../../src/article/parse.ts';
import { summarise } from '../../src/article/normalise.ts';
import { stringify } from 'yaml';
import type { TempDir } from '../helpers/temp-dir.ts';

export const PAYLOADS = [
  '<script>window.__pwned=1;alert(1)</script>',
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '<svg onload="window.__pwned=1;alert(1)">',
  '[click me](javascript:window.__pwned=1;alert(1))',
  '"><script>window.__pwned=1;alert(1)</script>',
  "'><svg/onload=window.__pwned=1;alert(1)>",
  '</title><script>window.__pwned=1;alert(1)</script>',
  '<iframe srcdoc="<script>parent.__pwned=1;parent.alert(1)</script>"></iframe>',
  '<div style="width:expression(window.__pwned=1);background:url(javascript:window.__pwned=1)">css</div>',
  '${window.__pwned=1}`;window.__pwned=1;alert(1);`',
  "{{constructor.constructor('window.__pwned=1;alert(1)')()}}",
  '<a href="jav&#x09;ascript:window.__pwned=1;alert(1)">link</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1;alert(1)">',
  '<body onload="window.__pwned=1;alert(1)">',
  '<object data="javascript:window.__pwned=1;alert(1)"></object>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1;alert(1)">',
  ']]><script>window.__pwned=1;alert(1)</script><![CDATA[',
  '<x:script xmlns:x="http://www.w3.org/1999/xhtml">window.__pwned=1;alert(1)</x:script>',
];

/** A site title that tries to break out of <title> and of attributes on every page. */
export const HOSTILE_SITE_TITLE = '</title><script>window.__pwned=1</script>"\'><b onmouseover=alert(1)>Desk';

/** What one payload's files should show: the section's name and each article's title, as text. */
export interface HostileArticle {
  section: string;
  titles: string[];
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Writes two articles per payload into `temp`, each in a section named by the payload: a .txt
 * (section line, title, body) and a .md (front matter title/section/author/tags/summary, a body
 * of raw HTML and Markdown links). Also one Markdown article carrying every payload, and files
 * whose names are payloads (one of them empty, so /status lists it as rejected).
 */
export async function writeHostileArticles(temp: TempDir): Promise<HostileArticle[]> {
  const written: HostileArticle[] = [];
  const date = (i: number) => new Date(Date.now() - (i + 1) * 3_600_000).toISOString();
  for (const [i, payload] of PAYLOADS.entries()) {
    const section = `Desk ${i} ${payload}`;
    const txtTitle = `Wire ${i} ${payload}`;
    await temp.write(`txt-${i}.txt`, `${section}\n\n${txtTitle}\n\n${payload}\n\nSecond paragraph ${payload}`);
    const mdTitle = `Story ${i} ${payload}`;
    const front = { title: mdTitle, section, date: date(i), author: `${payload} <a${i}@example.com>`, tags: [payload, `tag ${i}`], summary: `Summary ${payload}` };
    const body = [payload, `A [link](javascript:window.__pwned=1) and ![img](javascript:window.__pwned=1) and <a href="javascript:window.__pwned=1">raw</a>.`, '```html', payload, '```'].join('\n\n');
    await temp.write(`md-${i}.md`, `---\n${stringify(front)}---\n\n${body}\n`);
    // Names over SECTION_MAX are shortened (the rule has its own tests in tests/article); the rest shows in full.
    written.push({ section: summarise(collapse(section), SECTION_MAX), titles: [collapse(txtTitle), collapse(mdTitle)] });
  }
  const all = { title: `Everything at once ${PAYLOADS.slice(0, 3).join(' ')}`, section: 'Kitchen <sink> & "all"', date: date(40), author: PAYLOADS[1] };
  await temp.write('kitchen/everything.md', `---\n${stringify(all)}---\n\n${PAYLOADS.join('\n\n')}\n`);
  written.push({ section: all.section, titles: [collapse(all.title)] });
  await temp.write('<svg onload=alert(1)>.txt', '');
  await temp.write('"><img src=x onerror=alert(1)>.md', '---\ntitle: "A file named like a payload"\nsection: Files\n---\n\nBody.\n');
  written.push({ section: 'Files', titles: ['A file named like a payload'] });
  return written;
}
