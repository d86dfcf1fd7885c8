/**
 * Free loopback ports for a stack's pinned host ports, for benchmarks and integration tests. They are
 * taken below the kernel's ephemeral range (32768–60999 here): the engine picks the ports it chooses
 * itself from that range, so a port taken from it (listen on 0) could be handed to another container
 * before the pinned one starts — seen in CI as "host port … is already in use" between two of a
 * stack's services, and in the cold-build bench during a minute of builds.
 */
import { createServer } from 'node:net';

const handedOut = new Set();

/** A port between 20000 and 32000 that nothing listens on now and this process has not handed out. */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 after 50 tries');
}

/** Whether a server could listen on the loopback port now. */
export function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
