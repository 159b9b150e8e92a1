// Article text in the sample's .txt format, for tests on any runtime (workerd included: no node:*).

/** A .txt article in the sample's format. */
export function txtArticle(section: string, title: string, ...paragraphs: string[]): string {
  return [section, '', title, '', ...(paragraphs.length ? paragraphs : ['Body text.'])].join('\n\n');
}
