// Configuration shared by every entry point: read once from environment-style strings,
// checked once, defaults resolved once. A mistake throws a ConfigError that says how to fix it.
import type { ParseOptions } from '../article/types.ts';
import { ConfigError } from '../errors.ts';
import { DEFAULT_MEDIA_MAX_BYTES } from './media-types.ts';
import { parseHubs } from './hubs.ts';

export const DEFAULT_PORT = 8787;
export const DEFAULT_FEED_LIMIT = 50;
export const MAX_FEED_LIMIT = 500;
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_SETTLE_MS = 300;
/** What the bounded cache of bodies, items and documents may hold when CACHE_MAX_BYTES is not set. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Cache-Control max-age of feeds and media files, in seconds, when CACHE_MAX_AGE is not set. */
export const DEFAULT_CACHE_MAX_AGE_S = 300;
export const DEFAULT_SECTION = 'General';
/** The state folder's name inside the articles folder when STATE_DIR is not set. */
export const STATE_FOLDER = '.wirefeed';

export interface SiteConfig {
  /** Absolute, no trailing slash: `https://news.example.com` or `https://example.com/feeds`. */
  baseUrl: string;
  title: string;
  language: string;
  /** Authority of `tag:` ids (RFC 4151); defaults to the host of `baseUrl`. */
  idAuthority: string;
}

export interface Config {
  site: SiteConfig;
  articlesDir: string;
  port: number;
  host: string;
  feedLimit: number;
  /** Cache-Control max-age of feeds, seconds. */
  cacheMaxAge: number;
  /** Size budget of one feed document, bytes. */
  feedMaxBytes: number;
  /** Bytes of bodies, rendered items and feed documents kept in memory. */
  cacheMaxBytes: number;
  /** WebSub hubs to advertise and notify. */
  hubs: string[];
  maxFileBytes: number;
  settleMs: number;
  /** Watch engine: `auto` (native when it loads), `native` or `chokidar`. */
  watcher: 'auto' | 'native' | 'chokidar';
  /** Reader threads for large scans; undefined = one per core, at most four; 0 = in-process. */
  scanThreads?: number;
  /** The intake's state folder; undefined keeps nothing between runs (`STATE_DIR=off`). */
  stateDir?: string;
  defaultSection: string;
  /** Bearer token of the publish API; undefined = the API is off. Never log it. */
  publishToken?: string;
  /** Which proxies may name the client in X-Forwarded-For / Forwarded (Node); undefined = none. */
  trustProxy?: TrustProxy;
  /** Lowest level logged (LOG_LEVEL). */
  logLevel: LogLevelSetting;
  /** Log line format (LOG_FORMAT); `auto`: text on a terminal, JSON otherwise. */
  logFormat: 'auto' | 'text' | 'json';
  /** Whether `GET /metrics` answers (METRICS). */
  metrics: boolean;
  /** How long a stop waits for responses in flight before cutting them (SHUTDOWN_TIMEOUT), ms. */
  shutdownTimeoutMs: number;
  /** Largest media file served, copied by builds and accepted by the publish API. */
  mediaMaxBytes: number;
}

/**
 * TRUST_PROXY: the proxies in front whose forwarded headers are believed, by address
 * (`addresses`: IPs, CIDRs, or the names loopback, linklocal, uniquelocal) or by count (`hops`:
 * the nearest N, whatever their address). Read in src/node/server/client-address.ts.
 */
export type TrustProxy = { hops: number } | { addresses: string[] };

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevelSetting = (typeof LOG_LEVELS)[number];
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 10;

/** Every setting with its environment variable, CLI flag and help text (README's table follows it). */
export const SETTINGS = [
  ['ARTICLES_DIR', 'articles-dir', 'folder of articles to watch', './articles'],
  ['PORT', 'port', 'TCP port to listen on', String(DEFAULT_PORT)],
  ['HOST', 'host', 'interface to listen on; other than loopback (e.g. 0.0.0.0) it needs BASE_URL', 'localhost'],
  ['BASE_URL', 'base-url', 'public URL of the site, used in every feed link', 'http://localhost:PORT'],
  ['SITE_TITLE', 'site-title', 'site name shown in feeds and pages', 'wirefeed'],
  ['SITE_LANGUAGE', 'site-language', 'language of the feeds (BCP 47)', 'en'],
  ['FEED_LIMIT', 'feed-limit', `newest N items per feed (1-${MAX_FEED_LIMIT})`, String(DEFAULT_FEED_LIMIT)],
  ['CACHE_MAX_AGE', 'cache-max-age', 'Cache-Control max-age of feeds (seconds)', String(DEFAULT_CACHE_MAX_AGE_S)],
  ['FEED_MAX_BYTES', 'feed-max-bytes', 'size budget of one feed document; over it items carry summaries only', '1MiB'],
  ['CACHE_MAX_BYTES', 'cache-max-bytes', 'memory for article bodies, rendered feed items and feed documents (bytes, or 64MiB, 1GiB)', '64MiB'],
  ['WEBSUB_HUBS', 'websub-hubs', 'comma-separated WebSub hub URLs to advertise and notify', 'none'],
  ['MAX_FILE_BYTES', 'max-file-bytes', 'size cap per article file (bytes, or 512KiB, 2MiB)', '1MiB'],
  ['SETTLE_MS', 'settle-ms', 'quiet time before a changed file is read (ms)', String(DEFAULT_SETTLE_MS)],
  ['WATCHER', 'watcher', 'watch engine: auto (native @parcel/watcher when it loads), native or chokidar', 'auto'],
  ['STATE_DIR', 'state-dir', 'folder keeping what each file gave between runs, or off', 'ARTICLES_DIR/.wirefeed'],
  ['SCAN_THREADS', 'scan-threads', 'reader threads for scans of 20,000+ files to read (0 = none)', 'one per core, at most 4'],
  ['DEFAULT_SECTION', 'default-section', 'section of Markdown files that name none', DEFAULT_SECTION],
  ['ID_AUTHORITY', 'id-authority', 'domain in article ids (tag:DOMAIN,2026:path); pin it before moving domains', 'host of BASE_URL'],
  ['TRUST_PROXY', 'trust-proxy', 'proxies whose X-Forwarded-For/Forwarded name the client: addresses, CIDRs, loopback/linklocal/uniquelocal, or a hop count', 'off'],
  ['PUBLISH_TOKEN', 'publish-token', 'bearer token that turns on the publish API at /api (16+ characters; prefer the variable)', 'none: API off'],
  ['LOG_LEVEL', 'log-level', 'lowest level logged: debug, info (adds a line per request), warn, error or silent', 'info'],
  ['LOG_FORMAT', 'log-format', 'log lines as text or json (one JSON object a line)', 'text on a terminal, else json'],
  ['METRICS', 'metrics', 'on: GET /metrics answers in the Prometheus text format', 'off'],
  ['SHUTDOWN_TIMEOUT', 'shutdown-timeout', 'seconds a stop (SIGTERM, SIGINT) waits for responses in flight', String(DEFAULT_SHUTDOWN_TIMEOUT_S)],
  ['MEDIA_MAX_BYTES', 'media-max-bytes', 'size cap per media file (image, audio, video) served, built and published', '32MiB'],
] as const;

export type SettingName = (typeof SETTINGS)[number][0];
export type Env = Partial<Record<SettingName, string | undefined>>;

/** Reads and checks the configuration; throws ConfigError naming the variable and the fix. */
export function resolveConfig(env: Env): Config {
  const port = parseInteger(env, 'PORT', DEFAULT_PORT, 0, 65535);
  const host = nonEmpty(env.HOST) ?? 'localhost';
  const baseUrl = parseBaseUrl(nonEmpty(env.BASE_URL) ?? `http://${urlHost(host)}:${port}`);
  return {
    site: {
      baseUrl,
      title: nonEmpty(env.SITE_TITLE) ?? 'wirefeed',
      language: parseLanguage(nonEmpty(env.SITE_LANGUAGE) ?? 'en'),
      idAuthority: parseAuthority(nonEmpty(env.ID_AUTHORITY) ?? new URL(baseUrl).hostname),
    },
    articlesDir: nonEmpty(env.ARTICLES_DIR) ?? './articles',
    port,
    host,
    feedLimit: parseInteger(env, 'FEED_LIMIT', DEFAULT_FEED_LIMIT, 1, MAX_FEED_LIMIT),
    cacheMaxAge: parseInteger(env, 'CACHE_MAX_AGE', DEFAULT_CACHE_MAX_AGE_S, 0, 31_536_000),
    feedMaxBytes: parseBytes(env, 'FEED_MAX_BYTES', 1024 * 1024, 16 * 1024),
    cacheMaxBytes: parseBytes(env, 'CACHE_MAX_BYTES', DEFAULT_CACHE_MAX_BYTES, 1024 * 1024, 64 * 1024 ** 3),
    hubs: parseHubs(env.WEBSUB_HUBS),
    maxFileBytes: parseBytes(env, 'MAX_FILE_BYTES', DEFAULT_MAX_FILE_BYTES, 1),
    settleMs: parseInteger(env, 'SETTLE_MS', DEFAULT_SETTLE_MS, 0, 60_000),
    watcher: parseWatcher(nonEmpty(env.WATCHER)),
    scanThreads: nonEmpty(env.SCAN_THREADS) === undefined ? undefined : parseInteger(env, 'SCAN_THREADS', 0, 0, 64),
    stateDir: parseStateDir(nonEmpty(env.STATE_DIR), nonEmpty(env.ARTICLES_DIR) ?? './articles'),
    defaultSection: nonEmpty(env.DEFAULT_SECTION) ?? DEFAULT_SECTION,
    publishToken: parseToken(env.PUBLISH_TOKEN),
    trustProxy: parseTrustProxy(nonEmpty(env.TRUST_PROXY)),
    logLevel: parseChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: parseChoice(env, 'LOG_FORMAT', ['auto', 'text', 'json'] as const, 'auto'),
    metrics: parseSwitch(env, 'METRICS', false),
    shutdownTimeoutMs: parseInteger(env, 'SHUTDOWN_TIMEOUT', DEFAULT_SHUTDOWN_TIMEOUT_S, 0, 3600) * 1000,
    mediaMaxBytes: parseBytes(env, 'MEDIA_MAX_BYTES', DEFAULT_MEDIA_MAX_BYTES, 1, 2 * 1024 ** 3),
  };
}

/**
 * Refuses to serve beyond this machine (HOST not loopback) with a guessed BASE_URL: every feed
 * link and article id would carry the guess (`localhost` for 0.0.0.0 and ::), and ids readers
 * have stored cannot be changed later without every item showing up again as new.
 */
export function checkPublicBaseUrl(env: Env): void {
  const host = nonEmpty(env.HOST) ?? 'localhost';
  if (nonEmpty(env.BASE_URL) !== undefined || isLoopback(host)) return;
  const guess = `http://${urlHost(host)}:${nonEmpty(env.PORT) ?? DEFAULT_PORT}`;
  throw new ConfigError(
    `HOST="${host}" lets other machines connect, but BASE_URL is not set, so every feed link and article id would say ${guess}: ` +
      'set BASE_URL (--base-url) to the address readers use, e.g. https://feeds.example.com',
  );
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
// The shape of an address or CIDR; src/node/server/client-address.ts checks each is a real one.
const ADDRESS_LIKE = /^[0-9a-f.:]+(\/[0-9.]+)?$/i;

/** `off` (the default), a hop count, or a comma-separated list of addresses, CIDRs and names. */
function parseTrustProxy(raw: string | undefined): TrustProxy | undefined {
  if (raw === undefined || ['off', 'none', 'false', '0'].includes(raw.toLowerCase())) return undefined;
  if (/^\d+$/.test(raw)) {
    if (Number(raw) > 32) throw new ConfigError(`TRUST_PROXY="${raw}" is not valid: a hop count is a whole number from 1 to 32`);
    return { hops: Number(raw) };
  }
  const addresses = raw.split(',').map((part) => part.trim().toLowerCase());
  const bad = addresses.find((part) => !TRUST_NAMES.has(part) && !ADDRESS_LIKE.test(part));
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY="${raw}" is not valid ("${bad}"): use off, a hop count (e.g. 1), or addresses, CIDRs and the names loopback, linklocal, uniquelocal separated by commas (e.g. loopback, 10.0.0.0/8)`,
    );
  }
  return { addresses };
}

function parseChoice<T extends string>(env: Env, name: SettingName, choices: readonly T[], fallback: T): T {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}="${raw}" is not valid: use ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`);
}

function parseSwitch(env: Env, name: SettingName, fallback: boolean): boolean {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(`${name}="${raw}" is not valid: use on or off`);
}

/** RFC 6750 b64token characters. The message never repeats the value: it is a secret. */
function parseToken(raw: string | undefined): string | undefined {
  const token = nonEmpty(raw);
  if (token === undefined) return undefined;
  if (token.length < 16 || !/^[A-Za-z0-9._~+/-]+=*$/.test(token)) {
    throw new ConfigError(
      'PUBLISH_TOKEN is not valid: use 16 or more letters, digits or -._~+/ characters, e.g. the output of `openssl rand -hex 32`',
    );
  }
  return token;
}

function parseWatcher(raw: string | undefined): Config['watcher'] {
  const value = (raw ?? 'auto').toLowerCase();
  if (value === 'auto' || value === 'native' || value === 'chokidar') return value;
  throw new ConfigError(`WATCHER="${raw}" is not valid: use auto, native or chokidar`);
}

/** `off` (or `none`, `false`) keeps no state; the default is a dot-folder the watcher ignores. */
function parseStateDir(raw: string | undefined, articlesDir: string): string | undefined {
  if (raw !== undefined && ['off', 'none', 'false', '0'].includes(raw.toLowerCase())) return undefined;
  return raw ?? `${articlesDir.replace(/[\\/]+$/, '')}/${STATE_FOLDER}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function parseInteger(env: Env, name: SettingName, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name}="${raw}" is not valid: use a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

function parseBytes(env: Env, name: SettingName, fallback: number, min: number, max = 64 * 1024 ** 2): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit ? Number(match[1]) * unit : NaN;
  if (!(bytes >= min && bytes <= max)) {
    const least = min === 1 ? '1 byte' : min >= 1024 ** 2 ? `${min / 1024 ** 2}MiB` : `${min / 1024}KiB`;
    const most = max >= 1024 ** 3 ? `${max / 1024 ** 3}GiB` : `${max / 1024 ** 2}MiB`;
    throw new ConfigError(`${name}="${raw}" is not valid: use a size from ${least} to ${most}, e.g. 1048576, 512KiB or 2MiB`);
  }
  return bytes;
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`BASE_URL="${raw}" is not an absolute URL: use e.g. https://news.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`BASE_URL="${raw}" must start with http:// or https://`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(`BASE_URL="${raw}" must not have a query or fragment: use e.g. https://example.com/news`);
  }
  return url.href.replace(/\/+$/, '');
}

function parseLanguage(raw: string): string {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(raw)) {
    throw new ConfigError(`SITE_LANGUAGE="${raw}" is not a language tag: use e.g. en, en-GB or fr`);
  }
  return raw;
}

function parseAuthority(raw: string): string {
  const authority = raw.toLowerCase();
  // RFC 4151: taggingEntity = authorityName "," date; authorityName = DNSname / emailAddress.
  if (!/^([a-z0-9._%+-]+@)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(authority)) {
    throw new ConfigError(`ID_AUTHORITY="${raw}" must be a domain name or e-mail address, e.g. news.example.com`);
  }
  return authority;
}

/** The parser's options for this configuration: the same for the watcher, the publish API and builds. */
export function parseOptionsOf(config: Config): ParseOptions {
  return {
    baseUrl: config.site.baseUrl,
    idAuthority: config.site.idAuthority,
    defaultSection: config.defaultSection,
    maxBytes: config.maxFileBytes,
  };
}

/** The createApp settings this configuration gives, shared by every entry point. */
export function appSettingsOf(config: Config) {
  return {
    site: config.site,
    feedLimit: config.feedLimit,
    maxAge: config.cacheMaxAge,
    maxFeedBytes: config.feedMaxBytes,
    cacheMaxBytes: config.cacheMaxBytes,
    hubs: config.hubs,
    mediaMaxBytes: config.mediaMaxBytes,
  };
}
