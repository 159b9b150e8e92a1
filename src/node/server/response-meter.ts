// Measures each response at the node:http level, where every answer passes (the feed fast path's
// as well as the app's): status, body bytes sent, content encoding and time, reported once the
// response is over (sent in full, or cut short).
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface ResponseRecord {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  status: number;
  /** Body bytes written (after compression; none for HEAD or 304). */
  bytes: number;
  /** From the request to the last byte handed to the system, ms. */
  ms: number;
  /** Content-Encoding of the body, `identity` when none. */
  encoding: string;
  /** False when the connection closed before the response was complete. */
  complete: boolean;
  req: IncomingMessage;
}

/** Calls `onDone` once when `res` is over; counts what goes through `res`'s write methods. */
export function meterResponse(req: IncomingMessage, res: ServerResponse, onDone: (record: ResponseRecord) => void): void {
  const started = performance.now();
  let bytes = 0;
  let encoding: string | undefined;
  const count = (chunk: unknown, how: unknown) => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk, typeof how === 'string' ? (how as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
  };
  // writeHead with a headers object does not keep them where getHeader looks: read them here.
  const writeHead = res.writeHead;
  res.writeHead = function meteredWriteHead(this: ServerResponse, ...args: unknown[]) {
    const headers = args.find((arg) => typeof arg === 'object' && arg !== null) as OutgoingHttpHeaders | undefined;
    if (headers && !Array.isArray(headers)) {
      for (const name in headers) if (name.length === 16 && name.toLowerCase() === 'content-encoding') encoding = String(headers[name]);
    }
    return (writeHead as (...rest: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  const write = res.write;
  res.write = function meteredWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    count(chunk, rest[0]);
    return (write as (...all: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  const end = res.end;
  res.end = function meteredEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') count(chunk, rest[0]);
    return (end as (...all: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  res.once('close', () => {
    const header = res.getHeader('content-encoding');
    onDone({
      method: req.method ?? '',
      target: req.url ?? '',
      status: res.statusCode,
      // HEAD and 304 answers carry no body, whatever was handed to end().
      bytes: req.method === 'HEAD' || res.statusCode === 304 || res.statusCode === 204 ? 0 : bytes,
      ms: performance.now() - started,
      encoding: encoding ?? (header === undefined ? 'identity' : String(header)),
      complete: res.writableFinished,
      req,
    });
  });
}
