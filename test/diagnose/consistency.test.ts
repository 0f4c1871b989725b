import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabPki, issue, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer, labCert } from './fault-server.js';
import { runDiagnose, serious } from './run-diagnose.js';

let pki: LabPki;
let caFile = '';
let servers: ScriptServer[] = [];
beforeAll(async () => {
  pki = createLabPki();
  caFile = join(await mkdtemp(join(tmpdir(), 'mailprobe-diag-')), 'root.pem');
  await writeFile(caFile, pki.root.certPem);
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('diagnose: ports of one host compared', () => {
  it('notes a port still serving an older certificate for the same names, close to its end (low)', async () => {
    const names = [LAB_SERVERNAME, '127.0.0.1', '127.0.0.2'];
    const old = issue({ cn: LAB_SERVERNAME, san: names, issuer: pki.intermediate, notAfter: new Date(Date.now() + 25 * 86_400_000) });
    servers = [
      await faultServer({ implicit: { key: old.keyPem, cert: old.certPem + pki.intermediate.certPem } }),
      await faultServer({ protocol: 'imap', implicit: labCert(pki) }),
    ];
    const ports = `${servers[0]!.port}=smtps,${servers[1]!.port}=imaps`;
    const r = await runDiagnose(['127.0.0.1', '--ports', ports, '--servername', LAB_SERVERNAME, '--ca', caFile]);
    const differs = r.report.findings.filter((f) => f.id === 'tls.cert.differs-between-ports');
    expect(differs.map((f) => [f.severity, f.target])).toEqual([['low', '127.0.0.1']]);
    expect(differs[0]?.detail).toMatch(/not reloaded/);
    expect(serious(r.report)).toEqual(['tls.cert.differs-between-ports@127.0.0.1']);
  });

  it('leaves separately renewed certificates for the same names at info', async () => {
    const renewed = issue({ cn: LAB_SERVERNAME, san: [LAB_SERVERNAME, '127.0.0.1', '127.0.0.2'], issuer: pki.intermediate, notAfter: new Date(Date.now() + 80 * 86_400_000) });
    servers = [await faultServer({ implicit: labCert(pki) }), await faultServer({ protocol: 'imap', implicit: { key: renewed.keyPem, cert: renewed.certPem + pki.intermediate.certPem } })];
    const r = await runDiagnose(['127.0.0.1', '--ports', `${servers[0]!.port}=smtps,${servers[1]!.port}=imaps`, '--servername', LAB_SERVERNAME, '--ca', caFile]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['tls.cert.differs-between-ports', 'info']]);
  });

  it('only notes (info) certificates for different names, and nothing when they are the same', async () => {
    const other = issue({ cn: LAB_SERVERNAME, san: [LAB_SERVERNAME, 'imap.mail.test'], issuer: pki.intermediate });
    servers = [await faultServer({ implicit: labCert(pki) }), await faultServer({ protocol: 'imap', implicit: { key: other.keyPem, cert: other.certPem + pki.intermediate.certPem } }), await faultServer({ protocol: 'imap', implicit: labCert(pki) })];
    const ports = `${servers[0]!.port}=smtps,${servers[1]!.port}=imaps`;
    const r = await runDiagnose(['127.0.0.1', '--ports', ports, '--servername', LAB_SERVERNAME, '--ca', caFile]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['tls.cert.differs-between-ports', 'info']]);
    const same = await runDiagnose(['127.0.0.1', '--ports', `${servers[0]!.port}=smtps,${servers[2]!.port}=imaps`, '--servername', LAB_SERVERNAME, '--ca', caFile]);
    expect(same.report.findings).toEqual([]);
  });
});
