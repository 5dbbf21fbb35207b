import { Server } from 'net';

/**
 * Starts `server` on an ephemeral port of 127.0.0.1, neither it nor its connections keeping the process alive: a test
 * that never closes its driver must still be able to exit.
 */
export async function startLocalServer(server: Server): Promise<void> {
  server.on('connection', socket => socket.unref());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
}
