// The credit line of an article taken from elsewhere, as HTML: the same words on its page and at
// the end of its feed items' bodies, where feed readers show them (few show the formats' own
// source and rights elements). CC BY and the like ask for exactly this: the source, linked,
// and the licence, linked.
import { escapeHtml } from './normalise.ts';
import type { Attribution } from './types.ts';

/**
 * `<p class="credit">Source: <a href="…">Wikinews</a> · Licence: <a rel="license" href="…">CC BY 2.5</a></p>`,
 * every value escaped; undefined when the attribution names neither a source nor a licence.
 */
export function creditHtml(attribution: Attribution | undefined): string | undefined {
  if (attribution === undefined) return undefined;
  const parts: string[] = [];
  if (attribution.source !== undefined) parts.push(`Source: ${link(attribution.source, attribution.sourceUrl)}`);
  if (attribution.license !== undefined) parts.push(`Licence: ${link(attribution.license, attribution.licenseUrl, 'license')}`);
  return parts.length === 0 ? undefined : `<p class="credit">${parts.join(' · ')}</p>`;
}

function link(text: string, url: string | undefined, rel?: string): string {
  if (url === undefined) return escapeHtml(text);
  return `<a${rel === undefined ? '' : ` rel="${rel}"`} href="${escapeHtml(url)}">${escapeHtml(text)}</a>`;
}
