// Front-matter attribution: where an article comes from, under which licence, and its canonical
// URL. Every link here points elsewhere, so each must be an absolute http(s) URL: a relative one
// would resolve against our own site and credit ourselves, so it rejects the file instead.
import type { Attribution } from './types.ts';
import { collapseSpace } from './normalise.ts';
import { reject } from './reject.ts';

const WEB_URL = /^https?:\/\//i;

// Creative Commons licence names as people and SPDX write them: `CC BY 2.5`, `CC-BY-SA-4.0`,
// `cc by-nc-nd 3.0`. The deed of each lives at a URL built from its parts.
const CC_LICENCE = /^CC[\s-]+(BY(?:[\s-]+NC)?(?:[\s-]+(?:SA|ND))?)[\s-]+(1\.0|2\.0|2\.5|3\.0|4\.0)$/i;
const CC_ZERO = /^CC0(?:[\s-]+1\.0)?$/i;

/** Reads `source`, `source_url`, `source_feed`, `license`, `license_url` and `canonical`; undefined when none is given. */
export function readAttribution(field: (key: string) => unknown): Attribution | undefined {
  const sourceText = readLine(field('source'), 'source');
  const sourceUrlText = readLine(field('source_url'), 'source_url');
  // `source: https://…` alone is the link; a name and a link are `source` plus `source_url`.
  const sourceIsUrl = sourceText !== undefined && WEB_URL.test(sourceText);
  if (sourceIsUrl && sourceUrlText !== undefined) {
    reject('front matter `source` is a URL and `source_url` is given too: put the source\'s name in `source`');
  }
  const sourceUrl = webUrl(sourceIsUrl ? sourceText : sourceUrlText, sourceIsUrl ? 'source' : 'source_url');
  const sourceFeed = webUrl(readLine(field('source_feed'), 'source_feed'), 'source_feed');
  const source = sourceIsUrl ? undefined : sourceText;

  const licenseText = readLine(field('license'), 'license');
  const licenseIsUrl = licenseText !== undefined && WEB_URL.test(licenseText);
  const licenseUrl =
    webUrl(readLine(field('license_url'), 'license_url'), 'license_url') ??
    (licenseIsUrl ? webUrl(licenseText, 'license') : licenceDeed(licenseText));
  const canonical = webUrl(readLine(field('canonical'), 'canonical'), 'canonical');

  const attribution: Attribution = {
    ...(source === undefined && sourceUrl === undefined ? {} : { source: source ?? hostName(sourceUrl!) }),
    ...(sourceUrl === undefined ? {} : { sourceUrl }),
    ...(sourceFeed === undefined ? {} : { sourceFeed }),
    ...(licenseText === undefined ? {} : { license: licenseText }),
    ...(licenseUrl === undefined ? {} : { licenseUrl }),
    ...(canonical === undefined ? {} : { canonical }),
  };
  if (attribution.licenseUrl !== undefined && attribution.license === undefined) attribution.license = attribution.licenseUrl;
  return Object.keys(attribution).length === 0 ? undefined : attribution;
}

/** The deed URL of a Creative Commons licence name (`CC BY 2.5`, `CC0`), or undefined for any other text. */
export function licenceDeed(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const text = name.trim();
  if (CC_ZERO.test(text)) return 'https://creativecommons.org/publicdomain/zero/1.0/';
  const match = CC_LICENCE.exec(text);
  if (!match) return undefined;
  const kind = match[1]!.toLowerCase().split(/[\s-]+/).join('-');
  return `https://creativecommons.org/licenses/${kind}/${match[2]}/`;
}

/** One line of text (numbers allowed), whitespace collapsed; empty counts as absent. */
function readLine(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') reject(`front matter \`${key}\` must be text`);
  const text = collapseSpace(String(value));
  return text === '' ? undefined : text;
}

/** An absolute http(s) URL in its WHATWG serialisation; anything else rejects the file. */
function webUrl(value: string | undefined, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value)) reject(`front matter \`${key}\` must be an absolute http(s) URL: "${value}"`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    reject(`front matter \`${key}\` must be an absolute http(s) URL: "${value}"`);
  }
  return url.href;
}

/** The name a source without one is credited by: its host, without `www.`. */
function hostName(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}
