// Checks shared by the renderer tests: well-formedness, processing instructions, HTML text, immutability.
import { XMLValidator } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import type { FeedItem, FeedMeta } from '../../src/feed/types.ts';
import { makeItems, makeMeta, makePagedMeta, makeSummaryItems } from './fixtures.ts';

/** A renderer of a whole feed document (renderRss, renderAtom, renderJsonFeed). */
type RenderFeed = (meta: FeedMeta, items: FeedItem[]) => string;

/**
 * Asserts that `xml` is a well-formed, namespace-well-formed XML document. fast-xml-parser's
 * validator is lenient exactly where feeds break (it accepts `<` or a bare `&` in an attribute
 * value, C0 controls and a stray `]]>`), so saxes, a strict XML 1.0 parser, reads it as well.
 */
export function expectWellFormed(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(wellFormednessErrors(xml)).toEqual([]);
}

/** What keeps `xml` from being a well-formed XML 1.0 document with declared namespace prefixes; empty when it is one. */
export function wellFormednessErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => errors.push(error.message));
  parser.write(xml).close();
  return errors;
}

/** The processing instructions of `xml` in document order, as a strict XML parser reads them (the XML declaration is not one). */
export function processingInstructions(xml: string): Array<{ target: string; body: string }> {
  const found: Array<{ target: string; body: string }> = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('processinginstruction', ({ target, body }) => found.push({ target, body }));
  parser.write(xml).close();
  return found;
}

/** The text an HTML fragment without tags displays (the references our renderers write). */
export function htmlText(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Freezes `value` and everything it holds, so a renderer that writes to its input throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Expects `render` to give the same bytes for the same input: the fixed section, and the paged summary-only page. */
export function expectSameBytes(render: RenderFeed): void {
  expect(render(makeMeta(), makeItems())).toBe(render(makeMeta(), makeItems()));
  expect(render(makePagedMeta(), makeSummaryItems())).toBe(render(makePagedMeta(), makeSummaryItems()));
}

/** Expects `render` to leave its input as it was: frozen (so a write throws) and equal to a copy taken before. */
export function expectInputUntouched(render: RenderFeed): void {
  const meta = deepFreeze(makePagedMeta());
  const items = deepFreeze(makeItems());
  const before = structuredClone({ meta, items });
  render(meta, items);
  expect({ meta, items }).toEqual(before);
}
