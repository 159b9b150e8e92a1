// Serves a fetch handler over node:http with @hono/node-server, and stops gracefully: no new
// connections, responses in flight finish (up to a time limit), then the connections close.
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { meterResponse, type ResponseRecord } from './response-meter.ts';

export interface RunningServer {
  port: number;
  /**
   * Stops accepting connections, lets responses in flight finish for up to `graceMs` (then cuts
   * them), and resolves once every connection is closed. Idle keep-alive connections close at once.
   */
  close(graceMs?: number): Promise<void>;
}

export interface ServerOptions {
  port: number;
  host: string;
  /**
   * Sees each request first and returns true when it has answered it itself (see fast-path.ts);
   * on false the request goes to `fetch` as if it had not looked.
   */
  before?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Called once per response when it is over (sent, or cut short): the access log and metrics. */
  onResponse?: (record: ResponseRecord) => void;
}

/** Listens on `host:port` (port 0 picks a free one) and resolves once listening. */
export function startServer(
  fetch: (request: Request) => Response | Promise<Response>,
  { port, host, before, onResponse }: ServerOptions,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // What @hono/node-server's serve() does, with `before` in front of its listener.
    const listener = getRequestListener(fetch, { hostname: host });
    /** Open connections, with the number of their responses not over yet. */
    const connections = new Map<Socket, number>();
    let stopping = false;
    const server = createServer((req, res) => {
      const socket = req.socket;
      connections.set(socket, (connections.get(socket) ?? 0) + 1);
      // While stopping, a request on a kept-alive connection is answered, and that connection closed.
      if (stopping) res.shouldKeepAlive = false;
      res.once('close', () => {
        const open = connections.get(socket);
        if (open === undefined) return;
        connections.set(socket, open - 1);
        // The response is handed to the system: end() lets it go out before the connection closes.
        if (open === 1 && stopping) socket.end();
      });
      if (onResponse) meterResponse(req, res, onResponse);
      if (!before?.(req, res)) void listener(req, res);
    });
    server.on('connection', (socket: Socket) => {
      connections.set(socket, 0);
      socket.once('close', () => connections.delete(socket));
    });
    // Node 20's server.close() calls this, and its own version destroys a connection whose response
    // has been ended but not yet sent (a large feed to a slow reader): the reader gets a cut body.
    // Here only connections with no response under way are closed.
    server.closeIdleConnections = function closeQuietConnections() {
      for (const [socket, open] of connections) if (open === 0) socket.destroy();
    };
    server.once('error', reject);
    server.listen(port, host, () => {
      const info = server.address() as AddressInfo;
      let closed: Promise<void> | undefined;
      resolve({
        port: info.port,
        close: (graceMs = 0) =>
          (closed ??= new Promise<void>((done) => {
            stopping = true;
            const timer = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
          })),
      });
    });
  });
}
