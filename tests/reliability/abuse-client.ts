// A raw HTTP/1.1 client over node:net for the abuse tests: it sends the bytes fetch refuses to
// (raw `..`, bad header bytes, odd methods, missing Host, pipelined garbage) and parses what
// comes back without trusting it. Every exchange is bounded by a timeout.
import { connect } from 'node:net';

/** One response as it came off the wire. */
export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Body bytes as sent: false when Content-Length and the bytes disagree or a chunk is malformed. */
  wellFramed: boolean;
}

/** What one connection saw: its responses, and how it ended. */
export interface Exchange {
  responses: RawResponse[];
  /** `answered`: got every response asked for; `closed`/`reset`: the server ended it first; `hang`: timed out. */
  outcome: 'answered' | 'closed' | 'reset' | 'hang';
  ms: number;
}

export interface SendOptions {
  port: number;
  /** A loopback source address (127.x.y.z), so the bad-token limit sees distinct clients. */
  localAddress?: string;
  /** Methods of the requests in `bytes`, in order (HEAD responses carry no body). */
  methods?: string[];
  /** Body chunks written after `bytes`, one by one, until the server answers. */
  bodyChunks?: Iterable<Buffer>;
  timeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 5000;

/** Writes `bytes` on a fresh connection and reads until every request is answered, the server closes, or the timeout. */
export function sendRaw(bytes: string | Buffer, options: SendOptions): Promise<Exchange> {
  const { port, localAddress, methods = ['GET'], timeoutMs = REQUEST_TIMEOUT_MS } = options;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    let settled = false;
    let answering = false;
    const finish = (outcome: Exchange['outcome']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const responses = parseResponses(Buffer.concat(chunks), methods, { ended: outcome !== 'hang' });
      resolve({ responses, outcome: responses.length >= methods.length ? 'answered' : outcome, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish('hang'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      answering = true;
      chunks.push(chunk);
      if (parseResponses(Buffer.concat(chunks), methods, { ended: false }).length >= methods.length) finish('answered');
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('reset'));
    socket.on('connect', async () => {
      socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
      // Paced, and only until the server starts answering: a client that keeps pushing a body the
      // server has refused gets a reset, and the reset can overtake the answer.
      for (const chunk of options.bodyChunks ?? []) {
        await new Promise((done) => setTimeout(done, 2));
        if (settled || answering || socket.destroyed) return;
        if (!socket.write(chunk)) await new Promise((done) => socket.once('drain', done).once('close', done));
      }
    });
  });
}

export interface RequestSpec {
  method?: string;
  target: string;
  headers?: [string, string][];
  body?: string | Buffer;
  /** `HTTP/1.0` requests go without Host unless given one. */
  version?: '1.0' | '1.1';
  /** Leave out the Host header. */
  noHost?: boolean;
}

/**
 * Serialises one request as an attacker would send it: the target as UTF-8 bytes, unescaped;
 * header values byte for byte (each character below U+0100 is one byte, so `\u00ff` sends 0xFF).
 */
export function formatRequest({ method = 'GET', target, headers = [], body, version = '1.1', noHost = false }: RequestSpec): Buffer {
  const lines = [`${method} ${Buffer.from(target, 'utf8').toString('latin1')} HTTP/${version}`];
  if (!noHost && version === '1.1') lines.push('Host: 127.0.0.1');
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (version === '1.1' && !headers.some(([name]) => name.toLowerCase() === 'connection')) lines.push('Connection: close');
  const bodyBytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  if (body !== undefined && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    lines.push(`Content-Length: ${bodyBytes.byteLength}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
}

/** Sends one request built by `formatRequest`. */
export function send(spec: RequestSpec, options: Omit<SendOptions, 'methods'>): Promise<Exchange> {
  return sendRaw(formatRequest(spec), { ...options, methods: [spec.method ?? 'GET'] });
}

/**
 * Parses consecutive HTTP/1.x responses. Until the connection has `ended`, a response still
 * arriving is left out; after it, one cut short is kept with `wellFramed: false`, and a body
 * without Content-Length or chunking (delimited by the close) counts as complete.
 */
export function parseResponses(data: Buffer, methods: string[], { ended }: { ended: boolean }): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const [statusLine = '', ...headerLines] = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    if (Number.isNaN(status)) break;
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const method = methods[responses.length] ?? 'GET';
    const start = headEnd + 4;
    const noBody = method === 'HEAD' || status === 204 || status === 304 || status < 200;
    const framed = noBody ? { body: Buffer.alloc(0), end: start, ok: true } : readBody(data, start, headers, ended);
    if (!framed.ok && !ended) break;
    responses.push({ status, headers, body: framed.body, wellFramed: framed.ok });
    offset = framed.end;
    if (!framed.ok) break;
  }
  return responses;
}

function readBody(data: Buffer, start: number, headers: Record<string, string>, ended: boolean): { body: Buffer; end: number; ok: boolean } {
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return readChunked(data, start);
  const declared = headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    const end = start + length;
    return { body: data.subarray(start, Math.min(end, data.length)), end: Math.min(end, data.length), ok: /^\d+$/.test(declared) && end <= data.length };
  }
  // No framing: the body runs to the close, so it is complete only once the connection ended.
  return { body: data.subarray(start), end: data.length, ok: ended };
}

function readChunked(data: Buffer, start: number): { body: Buffer; end: number; ok: boolean } {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return { body: Buffer.concat(parts), end: data.length, ok: false };
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), end: data.length, ok: false };
    const chunkStart = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', chunkStart);
      return { body: Buffer.concat(parts), end: trailerEnd === -1 ? data.length : trailerEnd + 2, ok: trailerEnd !== -1 };
    }
    if (chunkStart + size + 2 > data.length) return { body: Buffer.concat(parts), end: data.length, ok: false };
    parts.push(data.subarray(chunkStart, chunkStart + size));
    offset = chunkStart + size + 2;
  }
}
