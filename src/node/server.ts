// Serves a fetch handler over node:http with @hono/node-server.
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  port: number;
  host: string;
  /**
   * Sees each request first and returns true when it has answered it itself (see fast-path.ts);
   * on false the request goes to `fetch` as if it had not looked.
   */
  before?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Listens on `host:port` (port 0 picks a free one) and resolves once listening. */
export function startServer(
  fetch: (request: Request) => Response | Promise<Response>,
  { port, host, before }: ServerOptions,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // What @hono/node-server's serve() does, with `before` in front of its listener.
    const listener = getRequestListener(fetch, { hostname: host });
    const server = createServer(
      before
        ? (req, res) => {
            if (!before(req, res)) void listener(req, res);
          }
        : listener,
    );
    server.once('error', reject);
    server.listen(port, host, () => {
      const info = server.address() as AddressInfo;
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
