import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer } from './fault-server.js';
import { runDiagnose } from './run-diagnose.js';

const ROLES = ['smtp', 'smtps', 'submission', 'imap', 'imaps', 'pop3', 'pop3s'] as const;
let servers: ScriptServer[] = [];
beforeAll(async () => {
  servers = await Promise.all(ROLES.map(() => faultServer({ greeting: null })));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('diagnose: a run where every port is silent', () => {
  it('is bounded by about two deadlines, not their sum over ports and steps', async () => {
    // The default run's seven roles on silent servers. Each plaintext port waits one --timeout
    // for a greeting, then at most min(--timeout, 3 s) for a TLS answer; implicit-TLS ports
    // wait one --timeout for the handshake. With the default 5 s that is 8 s, under the 10 s
    // the issue requires; here --timeout 1s keeps the test short and the bound the same shape.
    const ports = servers.map((s, i) => `${s.port}=${ROLES[i]}`).join(',');
    const t0 = performance.now();
    const r = await runDiagnose(['127.0.0.1', '--ports', ports, '--timeout', '1s']);
    const elapsedMs = performance.now() - t0;
    expect(r.report.ports?.map((p) => p.observed)).toEqual(ROLES.map(() => 'silent'));
    expect(r.report.findings.map((f) => f.id)).toEqual(ROLES.map(() => 'port.silent'));
    expect(elapsedMs).toBeGreaterThan(1_900);
    expect(elapsedMs).toBeLessThan(4_000);
  });
});
