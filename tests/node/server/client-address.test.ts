// createClientAddress over a real node:http server on loopback (the peer is 127.0.0.1), and
// TRUST_PROXY end to end: the publish API's bad-token limit keys on the forwarded client only
// when the proxy is trusted.
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type TrustProxy } from '../../../src/site/config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { createClientAddress, type ClientAddress } from '../../../src/node/server/client-address.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';

let server: Server;
let current: ClientAddress;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => res.end(String(current(req))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The client address the server names for a request with `headers`, under `trust`. */
async function clientOf(trust: TrustProxy | undefined, headers: Record<string, string> = {}): Promise<string> {
  current = createClientAddress(trust);
  return (await fetch(`http://127.0.0.1:${port}/`, { headers })).text();
}

const LOOPBACK = { addresses: ['loopback'] };

describe('createClientAddress', () => {
  it('is the peer, whatever the headers say, when TRUST_PROXY is off', async () => {
    expect(await clientOf(undefined, { 'X-Forwarded-For': '203.0.113.7', Forwarded: 'for=198.51.100.1' })).toBe('127.0.0.1');
  });

  it('is the peer when the peer is not a trusted proxy', async () => {
    expect(await clientOf({ addresses: ['10.0.0.0/8', '192.168.1.1'] }, { 'X-Forwarded-For': '203.0.113.7' })).toBe('127.0.0.1');
  });

  it('takes the nearest untrusted address in X-Forwarded-For, so a client cannot prepend a spoofed one', async () => {
    expect(await clientOf(LOOPBACK, { 'X-Forwarded-For': '203.0.113.7' })).toBe('203.0.113.7');
    expect(await clientOf(LOOPBACK, { 'X-Forwarded-For': '198.51.100.99, 203.0.113.7' })).toBe('203.0.113.7');
    expect(await clientOf({ addresses: ['loopback', '10.0.0.0/8'] }, { 'X-Forwarded-For': '198.51.100.99, 203.0.113.7, 10.1.2.3' })).toBe('203.0.113.7');
  });

  it('counts hops when TRUST_PROXY is a number', async () => {
    const chain = { 'X-Forwarded-For': '198.51.100.1, 198.51.100.2, 198.51.100.3' };
    expect(await clientOf({ hops: 1 }, chain)).toBe('198.51.100.3');
    expect(await clientOf({ hops: 2 }, chain)).toBe('198.51.100.2');
    expect(await clientOf({ hops: 9 }, chain)).toBe('198.51.100.1');
  });

  it('reads RFC 7239 Forwarded: quoted IPv6 with a port, IPv4 with a port, obfuscated names', async () => {
    expect(await clientOf(LOOPBACK, { Forwarded: 'for=198.51.100.9;proto=https, for="[2001:db8::1]:4711"' })).toBe('2001:db8::1');
    expect(await clientOf({ hops: 2 }, { Forwarded: 'for="198.51.100.9:8080", for=_proxy2' })).toBe('198.51.100.9');
    expect(await clientOf(LOOPBACK, { Forwarded: 'for=_hidden' })).toBe('_hidden');
  });

  it('believes neither header when both are sent and name different clients, nor a Forwarded that does not parse', async () => {
    expect(await clientOf(LOOPBACK, { 'X-Forwarded-For': '203.0.113.7', Forwarded: 'for=203.0.113.7' })).toBe('203.0.113.7');
    expect(await clientOf(LOOPBACK, { 'X-Forwarded-For': '203.0.113.7', Forwarded: 'for=198.51.100.1' })).toBe('127.0.0.1');
    expect(await clientOf(LOOPBACK, { Forwarded: 'for=;;==' })).toBe('127.0.0.1');
  });

  it('refuses an address proxy-addr cannot read, as a configuration error', () => {
    expect(() => createClientAddress({ addresses: ['999.1.2.3'] })).toThrow(ConfigError);
    expect(() => createClientAddress({ addresses: ['10.0.0.0/40'] })).toThrow(/TRUST_PROXY/);
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default and reads a hop count or a list', () => {
    expect(resolveConfig({}).trustProxy).toBeUndefined();
    expect(resolveConfig({ TRUST_PROXY: 'off' }).trustProxy).toBeUndefined();
    expect(resolveConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
    expect(resolveConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual({ addresses: ['loopback', '10.0.0.0/8', 'fd00::1'] });
  });

  it('names the fix for a value it cannot read', () => {
    expect(() => resolveConfig({ TRUST_PROXY: 'proxy.example.com' })).toThrow(/TRUST_PROXY="proxy.example.com" is not valid \("proxy.example.com"\): use off, a hop count/);
    expect(() => resolveConfig({ TRUST_PROXY: '100' })).toThrow(/hop count is a whole number from 1 to 32/);
  });
});

describe('the bad-token limit behind a proxy', () => {
  const TOKEN = 'proxy-limit-token-0123456789';
  let temp: TempDir;
  let wirefeed: Wirefeed | undefined;

  afterEach(async () => {
    await wirefeed?.close();
    wirefeed = undefined;
    await temp.remove();
  });

  async function start(env: Record<string, string>) {
    temp = await makeTempDir();
    wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', PUBLISH_TOKEN: TOKEN, ...env }, { log: () => {} });
    return (token: string, forwardedFor: string) =>
      fetch(`http://127.0.0.1:${wirefeed!.port}/api/articles`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': forwardedFor } }).then((r) => r.status);
  }

  it('locks out only the forwarded client that sent 21 bad tokens when the proxy is trusted', async () => {
    const list = await start({ TRUST_PROXY: 'loopback' });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await list(`guess-${i}`, '198.51.100.66'));
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    expect(await list(TOKEN, '198.51.100.66')).toBe(429);
    expect(await list(TOKEN, '203.0.113.7')).toBe(200);
  });

  it('keys on the peer when TRUST_PROXY is off: a new X-Forwarded-For per request does not escape the limit', async () => {
    const list = await start({});
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await list(`guess-${i}`, `198.51.100.${i + 1}`));
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    expect(await list(TOKEN, '203.0.113.7')).toBe(429);
  });
});
