/**
 * The hostile servers' own process: `node --import tsx hostile-child.ts NAME...` starts one
 * server per case on 127.0.0.1 port 0, prints one JSON line ({ ports, labRootPem, chainRootPem })
 * and serves until its stdin closes (the test process ending, however it ends).
 */
import { createLabPki } from '../helpers/certs.js';
import { chainOf50, serverFor } from './hostile-cases.js';
import { hostileServer, type HostileServer } from './hostile-server.js';

export interface ChildHello {
  readonly ports: Record<string, number>;
  readonly labRootPem: string;
  readonly chainRootPem: string;
}

const names = process.argv.slice(2);
const pki = createLabPki();
const chain = names.includes('chain-50') ? chainOf50() : undefined;
const servers: HostileServer[] = [];
const ports: Record<string, number> = {};
for (const name of names) {
  const setup = serverFor(name, { key: pki.leaf.keyPem, cert: pki.chainPem }, chain ? { key: chain.leaf.keyPem, cert: chain.chainPem } : undefined);
  const server = await hostileServer(setup.script, setup.allowHalfOpen ? { allowHalfOpen: true } : {});
  servers.push(server);
  ports[name] = server.port;
}
const hello: ChildHello = { ports, labRootPem: pki.root.certPem, chainRootPem: chain?.root.certPem ?? '' };
process.stdout.write(`${JSON.stringify(hello)}\n`);

const stop = async (): Promise<void> => {
  await Promise.all(servers.map((s) => s.close()));
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
