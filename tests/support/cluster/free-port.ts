import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now (the kernel picks it), for a child process that must be
 * told its port up front. Another process could take it before the child binds; on a test
 * machine that window is milliseconds and the child then fails loudly, never silently.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
