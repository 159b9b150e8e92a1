import { describe, expect, it } from 'vitest';
import { checkPublicBaseUrl, resolveConfig } from '../../src/site/config.ts';
import { ConfigError } from '../../src/errors.ts';

describe('resolveConfig', () => {
  it('resolves the documented defaults', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      articlesDir: './articles',
      port: 8787,
      host: 'localhost',
      feedLimit: 50,
      maxFileBytes: 1024 * 1024,
      cacheMaxBytes: 64 * 1024 * 1024,
      settleMs: 300,
      defaultSection: 'General',
      site: { baseUrl: 'http://localhost:8787', title: 'wirefeed', language: 'en', idAuthority: 'localhost' },
    });
  });

  it('takes BASE_URL without its trailing slash and derives the id authority from its host', () => {
    const { site } = resolveConfig({ BASE_URL: 'https://News.Example.com/feeds/', PORT: '9000' });
    expect(site.baseUrl).toBe('https://news.example.com/feeds');
    expect(site.idAuthority).toBe('news.example.com');
    expect(resolveConfig({ BASE_URL: 'https://example.com', ID_AUTHORITY: 'example.org' }).site.idAuthority).toBe('example.org');
  });

  it('reads the operations settings: log level and format, metrics, shutdown time', () => {
    expect(resolveConfig({})).toMatchObject({ logLevel: 'info', logFormat: 'auto', metrics: false, shutdownTimeoutMs: 10_000 });
    expect(resolveConfig({ LOG_LEVEL: 'WARN', LOG_FORMAT: 'json', METRICS: 'on', SHUTDOWN_TIMEOUT: '30' })).toMatchObject({
      logLevel: 'warn',
      logFormat: 'json',
      metrics: true,
      shutdownTimeoutMs: 30_000,
    });
  });

  it('reads sizes with units', () => {
    expect(resolveConfig({ MAX_FILE_BYTES: '512KiB' }).maxFileBytes).toBe(512 * 1024);
    expect(resolveConfig({ MAX_FILE_BYTES: '2MiB' }).maxFileBytes).toBe(2 * 1024 * 1024);
    expect(resolveConfig({ MAX_FILE_BYTES: '1000' }).maxFileBytes).toBe(1000);
    expect(resolveConfig({ CACHE_MAX_BYTES: '1GiB' }).cacheMaxBytes).toBe(1024 ** 3);
    expect(resolveConfig({ CACHE_MAX_BYTES: '256MiB' }).cacheMaxBytes).toBe(256 * 1024 ** 2);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT="eighty" is not valid: use a whole number from 0 to 65535/],
    [{ FEED_LIMIT: '0' }, /FEED_LIMIT="0" is not valid: use a whole number from 1 to 500/],
    [{ FEED_LIMIT: '501' }, /FEED_LIMIT/],
    [{ SETTLE_MS: '-5' }, /SETTLE_MS/],
    [{ MAX_FILE_BYTES: '1 GB' }, /MAX_FILE_BYTES="1 GB" is not valid/],
    [{ MAX_FILE_BYTES: '1GiB' }, /MAX_FILE_BYTES="1GiB" is not valid: use a size from 1 byte to 64MiB/],
    [{ CACHE_MAX_BYTES: '512KiB' }, /CACHE_MAX_BYTES="512KiB" is not valid: use a size from 1MiB to 64GiB/],
    [{ BASE_URL: 'example.com' }, /BASE_URL="example.com" is not an absolute URL: use e.g. https:\/\/news.example.com/],
    [{ BASE_URL: 'ftp://example.com' }, /must start with http:\/\/ or https:\/\//],
    [{ BASE_URL: 'https://example.com/?x=1' }, /must not have a query/],
    [{ SITE_LANGUAGE: 'english please' }, /SITE_LANGUAGE/],
    [{ ID_AUTHORITY: 'not a domain' }, /ID_AUTHORITY="not a domain" must be a domain name/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL="verbose" is not valid: use debug, info, warn, error or silent/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT="xml" is not valid: use auto, text or json/],
    [{ METRICS: 'maybe' }, /METRICS="maybe" is not valid: use on or off/],
    [{ SHUTDOWN_TIMEOUT: '1.5' }, /SHUTDOWN_TIMEOUT="1.5" is not valid: use a whole number from 0 to 3600/],
  ])('refuses %j with a message that says how to fix it', (env, message) => {
    expect(() => resolveConfig(env)).toThrow(ConfigError);
    expect(() => resolveConfig(env)).toThrow(message);
  });
});

describe('checkPublicBaseUrl', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'app.localhost', 'LOCALHOST'])('lets loopback HOST=%s go without BASE_URL', (host) => {
    expect(() => checkPublicBaseUrl({ HOST: host })).not.toThrow();
  });

  it('lets the default HOST go without BASE_URL', () => {
    expect(() => checkPublicBaseUrl({})).not.toThrow();
  });

  it.each([
    ['0.0.0.0', 'http://localhost:8787'],
    ['::', 'http://localhost:8787'],
    ['192.168.1.20', 'http://192.168.1.20:8787'],
    ['feeds.example.com', 'http://feeds.example.com:8787'],
    ['128.0.0.1', 'http://128.0.0.1:8787'],
  ])('refuses HOST=%s without BASE_URL, naming the address links would carry', (host, guess) => {
    expect(() => checkPublicBaseUrl({ HOST: host })).toThrow(ConfigError);
    expect(() => checkPublicBaseUrl({ HOST: host })).toThrow(`would say ${guess}: set BASE_URL`);
    expect(() => checkPublicBaseUrl({ HOST: host, BASE_URL: 'https://feeds.example.com' })).not.toThrow();
  });

  it('names the port readers would be sent to', () => {
    expect(() => checkPublicBaseUrl({ HOST: '0.0.0.0', PORT: '8080' })).toThrow('would say http://localhost:8080:');
  });
});
