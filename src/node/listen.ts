/**
 * Starting a Node server and waiting until it listens: resolved once it
 * listens, rejected with the server's 'error' (EADDRINUSE, EACCES, ...)
 * otherwise. One helper for the simulator, the sidecar and the service.
 */
import type { Server } from 'node:net';

/** Listens on a TCP port (0: any free one) and host, or on a Unix socket path. */
export function listening(server: Server, at: { readonly port: number; readonly host: string } | { readonly path: string }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if ('path' in at) server.listen(at.path, done);
    else server.listen(at.port, at.host, done);
  });
}
