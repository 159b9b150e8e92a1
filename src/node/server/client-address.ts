// The client's address for the publish API's bad-token limit and the access log: the socket's
// peer, or, when TRUST_PROXY trusts the proxies in between, the address they forward. The walk
// from the socket through trusted hops is proxy-addr's (the express project's); the RFC 7239
// `Forwarded` header is read with forwarded-parse and walked the same way.
import type { IncomingMessage } from 'node:http';
import parseForwarded from 'forwarded-parse';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from '../../site/config.ts';
import { ConfigError, errorMessage } from '../../errors.ts';

/** The address a request came from, as far as TRUST_PROXY lets forwarded headers tell. */
export type ClientAddress = (req: IncomingMessage) => string | undefined;

type Trust = (address: string, hop: number) => boolean;

/**
 * Makes the function that names a request's client. Without `trust` (TRUST_PROXY off, the
 * default) it is the socket's peer and forwarded headers are ignored. With it, the walk starts at
 * the peer and steps back through X-Forwarded-For (or Forwarded) while the hop is trusted; the
 * first untrusted address is the client. A request carrying both headers that name different
 * clients, or a Forwarded header that does not parse, gets its peer's address: a proxy writes one
 * of them, and the other is the client's own word.
 * Throws ConfigError for an address proxy-addr cannot read.
 * @example
 * const clientAddress = createClientAddress({ addresses: ['loopback'] });
 * clientAddress(req); // '203.0.113.7' for a request nginx on 127.0.0.1 forwarded
 */
export function createClientAddress(trust: TrustProxy | undefined): ClientAddress {
  if (trust === undefined) return (req) => req.socket.remoteAddress;
  const trusted = compileTrust(trust);
  return function clientAddress(req) {
    const peer = req.socket.remoteAddress;
    const forwardedFor = req.headers['x-forwarded-for'];
    const forwarded = req.headers.forwarded;
    if (peer === undefined || (forwardedFor === undefined && forwarded === undefined)) return peer;
    const byForwardedFor = forwardedFor === undefined ? undefined : proxyAddr(req, trusted);
    if (forwarded === undefined) return byForwardedFor;
    const hops = forwardedHops(forwarded);
    if (hops === undefined) return peer;
    const byForwarded = proxyAddr(asForwardedFor(peer, hops), trusted);
    return byForwardedFor === undefined || byForwardedFor === byForwarded ? byForwarded : peer;
  };
}

function compileTrust(trust: TrustProxy): Trust {
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  try {
    return proxyAddr.compile(trust.addresses);
  } catch (error) {
    throw new ConfigError(`TRUST_PROXY="${trust.addresses.join(',')}" is not valid: ${errorMessage(error)} (use addresses or CIDRs such as 10.0.0.0/8, or loopback)`);
  }
}

/**
 * The `for=` of each Forwarded element, nearest client first, as plain addresses (RFC 7239 §6:
 * IPv6 in brackets, an optional port, or an obfuscated name); undefined when the header does not parse.
 */
function forwardedHops(header: string): string[] | undefined {
  let elements: Record<string, string>[];
  try {
    elements = parseForwarded(header);
  } catch {
    return undefined;
  }
  return elements.map(({ for: node }) => {
    if (node === undefined) return 'unknown';
    const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
    if (v6) return v6[1]!;
    const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(node);
    if (v4) return v4[1]!;
    // "unknown" or an obfuscated identifier (`_hidden`): not an address, so never trusted.
    return /^[A-Za-z0-9._-]+$/.test(node) ? node : 'unknown';
  });
}

/** What proxy-addr reads of a request (the socket's peer and X-Forwarded-For), from Forwarded's hops. */
function asForwardedFor(peer: string, hops: string[]): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: { 'x-forwarded-for': hops.join(', ') } } as unknown as IncomingMessage;
}
