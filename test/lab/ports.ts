/**
 * Free ports for the lab's listeners: never fixed numbers, so parallel runs and a busy machine
 * do not collide. The kernel picks each port (bind to 0); we release it and hand the number to
 * Postfix or Dovecot. Another process could grab it in between; that race is small and shows up
 * as a clear "address in use" in the server log, not as a hang.
 */
import { createServer, type Server } from 'node:net';

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * One distinct free port on `host` per name. All sockets stay bound until every port is known, so
 * the kernel cannot hand the same number out twice.
 */
export async function freePorts<K extends string>(host: string, names: readonly K[]): Promise<Record<K, number>> {
  const servers: Server[] = [];
  try {
    for (const _ of names) servers.push(await listen(host));
    const ports = {} as Record<K, number>;
    names.forEach((name, i) => {
      const address = servers[i]?.address();
      if (address === null || address === undefined || typeof address === 'string') throw new Error(`no TCP port for ${name} on ${host}`);
      ports[name] = address.port;
    });
    return ports;
  } finally {
    await Promise.all(servers.map(close));
  }
}
