// Splits the `---` fenced YAML block off the top of a Markdown file and parses it.
import YAML from 'yaml';
import { errorMessage } from '../errors.ts';
import { normaliseText } from './normalise.ts';
import { reject } from './reject.ts';

const OPENING = /^---[ \t]*$/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/;

export interface FrontMatterSplit {
  /** The parsed mapping; empty when the file has no front matter. */
  data: Record<string, unknown>;
  body: string;
}

/** Separates front matter from the Markdown body; a bad block rejects the file. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const lines = text.split('\n');
  if (!OPENING.test(lines[0] ?? '')) return { data: {}, body: text };
  const end = lines.findIndex((line, index) => index > 0 && CLOSING.test(line));
  if (end === -1) reject('front matter does not parse: no closing `---` line');
  return { data: parseYaml(lines.slice(1, end).join('\n')), body: lines.slice(end + 1).join('\n') };
}

function parseYaml(source: string): Record<string, unknown> {
  let value: unknown;
  try {
    // Core schema (YAML 1.2): `no` stays a string, `2019-01-14` stays a string we parse ourselves.
    // logLevel 'error' keeps warnings (unknown tags) off the console; errors still throw.
    value = YAML.parse(source, { schema: 'core', logLevel: 'error' });
  } catch (error) {
    const message = errorMessage(error);
    reject(`front matter does not parse: ${message.split('\n')[0] ?? message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    reject('front matter does not parse: expected `key: value` lines (a YAML mapping)');
  }
  return cleanStrings(value) as Record<string, unknown>;
}

// YAML escapes ("\0", "\uD800") can bring back what the file's cleaning removed: clean every
// string value (and key) the same way, so front matter cannot smuggle in NUL or lone surrogates.
function cleanStrings(value: unknown): unknown {
  if (typeof value === 'string') return normaliseText(value);
  if (Array.isArray(value)) return value.map(cleanStrings);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [normaliseText(key), cleanStrings(item)]));
  }
  return value;
}
