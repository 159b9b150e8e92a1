// The throughput baseline: a bare node:http server answering every GET with one fixed
// document and the headers wirefeed sent with it, or a 304 when If-None-Match is its ETag.
// Usage: tsx bench/bare-server.ts RESPONSE.json PORT   (RESPONSE.json: { bodyFile, headers }).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface Recorded {
  bodyFile: string;
  /** Response headers as wirefeed sent them (lower-case names). */
  headers: Record<string, string>;
}

const [specFile, portArg] = process.argv.slice(2);
if (!specFile || !portArg) {
  process.stderr.write('usage: tsx bench/bare-server.ts RESPONSE.json PORT\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Recorded;
const body = readFileSync(spec.bodyFile);
const etag = spec.headers.etag;
const full = { ...spec.headers, 'content-length': String(body.byteLength) };
// A 304 carries the same validators and caching headers, without the body's own headers.
const notModified = Object.fromEntries(Object.entries(spec.headers).filter(([name]) => name !== 'content-type' && name !== 'content-length'));

const server = createServer(function answer(req, res) {
  if (etag !== undefined && req.headers['if-none-match'] === etag) {
    res.writeHead(304, notModified).end();
    return;
  }
  res.writeHead(200, full).end(body);
});
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${portArg}\n`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
