// A TCP port on 127.0.0.1 for a child process (or nginx) that must be told its port up front.
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 a moment ago: the caller binds it soon after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
