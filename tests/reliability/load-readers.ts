// The load test's readers: a pool of keep-alive HTTP connections (node:http, so the bytes are
// seen as sent: Content-Length against the body, gzip and br undone here) asking for a mix of
// feeds, pages and validators, and checking every answer whole.
import { Agent, request } from 'node:http';
import { checkFeed, decodeBody } from './load-check.ts';
import { makeRandom } from './load-writer.ts';

/** One URL to read and what its body must be. */
export interface ReadTarget {
  path: string;
  kind: 'feed' | 'html' | 'json';
  /** Most items a feed page may hold. */
  limit?: number;
}

export interface ReaderStats {
  requests: number;
  byStatus: Map<string, number>;
  conditional: number;
  compressed: number;
  malformed: number;
  serverErrors: number;
  /** Resets, timeouts and other failures to get an answer at all. */
  transportErrors: number;
  /** The first few problems, for the failure message. */
  examples: string[];
  latenciesMs: number[];
}

const ENCODINGS = ['identity', 'gzip', 'br', 'gzip, br', 'br;q=1, gzip;q=0.5'];
const TIMEOUT_MS = 10_000;
const MAX_EXAMPLES = 20;

/** Runs `connections` readers until `until` (a performance.now() time) and returns what they saw. */
export async function runReaders(port: number, targets: readonly ReadTarget[], until: number, { connections = 20, seed = 1 } = {}): Promise<ReaderStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const stats: ReaderStats = { requests: 0, byStatus: new Map(), conditional: 0, compressed: 0, malformed: 0, serverErrors: 0, transportErrors: 0, examples: [], latenciesMs: [] };
  const validators = new Map<string, { etag?: string; lastModified?: string }>();
  const note = (kind: 'malformed' | 'serverErrors' | 'transportErrors', what: string) => {
    stats[kind] += 1;
    if (stats.examples.length < MAX_EXAMPLES) stats.examples.push(what);
  };

  async function reader(index: number): Promise<void> {
    const random = makeRandom(seed * 1000 + index);
    while (performance.now() < until) {
      const target = targets[Math.floor(random() * targets.length)]!;
      const encoding = ENCODINGS[Math.floor(random() * ENCODINGS.length)]!;
      const key = `${target.path} ${encoding}`;
      const headers: Record<string, string> = { 'Accept-Encoding': encoding };
      const known = validators.get(key);
      if (known && random() < 0.3) {
        stats.conditional += 1;
        if (known.etag && random() < 0.7) headers['If-None-Match'] = known.etag;
        else if (known.lastModified) headers['If-Modified-Since'] = known.lastModified;
      }
      const started = performance.now();
      const label = `GET ${target.path} (${encoding}${headers['If-None-Match'] ? ', If-None-Match' : headers['If-Modified-Since'] ? ', If-Modified-Since' : ''})`;
      try {
        const response = await get(agent, port, target.path, headers);
        stats.latenciesMs.push(performance.now() - started);
        stats.requests += 1;
        stats.byStatus.set(String(response.status), (stats.byStatus.get(String(response.status)) ?? 0) + 1);
        const problem = check(target, encoding, headers, response);
        if (response.status >= 500) note('serverErrors', `${label} -> ${response.status}`);
        else if (problem) note('malformed', `${label} -> ${problem}`);
        if (response.status === 200) {
          validators.set(key, { etag: response.headers.etag as string | undefined, lastModified: response.headers['last-modified'] as string | undefined });
          if (response.headers['content-encoding']) stats.compressed += 1;
        }
      } catch (error) {
        stats.requests += 1;
        note('transportErrors', `${label} -> ${(error as Error).message}`);
      }
    }
  }

  await Promise.all(Array.from({ length: connections }, (_, index) => reader(index)));
  agent.destroy();
  return stats;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ agent, host: '127.0.0.1', port, path, headers, timeout: TIMEOUT_MS }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
      incoming.on('error', reject);
      incoming.on('aborted', () => reject(new Error('response aborted')));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** What is wrong with `answer`, or undefined: framing, encoding, status, and the body itself. */
function check(target: ReadTarget, encoding: string, sent: Record<string, string>, answer: Answer): string | undefined {
  const { status, headers, body } = answer;
  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) !== body.length) return `Content-Length ${declared} but ${body.length} bytes`;
  if (status === 304) {
    if (!sent['If-None-Match'] && !sent['If-Modified-Since']) return '304 to an unconditional request';
    return body.length === 0 && headers.etag ? undefined : '304 with a body or without ETag';
  }
  if (status !== 200) return `status ${status}`;
  const contentEncoding = headers['content-encoding'] as string | undefined;
  if (contentEncoding && (encoding === 'identity' || !encoding.includes(contentEncoding))) return `Content-Encoding ${contentEncoding} for Accept-Encoding ${encoding}`;
  const type = String(headers['content-type'] ?? '');
  try {
    const text = decodeBody(body, contentEncoding);
    if (target.kind === 'feed') {
      if (!headers.etag || !headers['last-modified']) return 'feed without ETag or Last-Modified';
      const shape = checkFeed(type, text);
      const expected = target.path.includes('rss.xml') ? 'rss' : target.path.includes('atom.xml') ? 'atom' : 'json';
      if (shape.format !== expected) return `a ${shape.format} document at ${target.path}`;
      if (target.limit !== undefined && (shape.items === 0 || shape.items > target.limit)) return `${shape.items} items on a page of ${target.limit}`;
    } else if (target.kind === 'html') {
      if (!text.startsWith('<!doctype html>') || !text.trimEnd().endsWith('</html>')) return 'HTML cut short';
    } else {
      JSON.parse(text);
    }
  } catch (error) {
    return `malformed body (${type}): ${(error as Error).message}`;
  }
  return undefined;
}
