import { describe, expect, inject, it } from 'vitest';
import { labUrl, type LabTarget } from '../helpers/run-lab-checks.js';
import { runDiagnose, serious } from './run-diagnose.js';

const lab = inject('lab');
const ALL: LabTarget[] = ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s'];
const trust = (): string[] => ['--ca', lab.rootCaPath, '--servername', lab.servername];

describe('diagnose against the lab (Postfix 3.7, Dovecot 2.3, correctly configured)', () => {
  it('sees what each port speaks, the TLS versions and a trusted chain of two', async () => {
    const r = await runDiagnose([...ALL.map(labUrl), ...trust()]);
    expect(r.report.ports?.map((p) => [p.expected, p.observed])).toEqual([
      ['smtp', 'smtp-starttls'],
      ['submission', 'smtp-starttls'],
      ['submissions', 'tls'],
      ['imap', 'imap-starttls'],
      ['imaps', 'tls'],
      ['pop3', 'pop3-starttls'],
      ['pop3s', 'tls'],
    ]);
    for (const p of r.report.ports ?? []) {
      expect(p.tls, `port ${p.port}`).toMatchObject({ version: 'TLSv1.3', certificate: { subject: `CN=${lab.servername}, O=mailprobe test lab`, chainLength: 2, trusted: true, error: null } });
      expect(p.tls?.versions).toEqual(expect.arrayContaining(['TLSv1.2', 'TLSv1.3']));
    }
    // Dovecot: ssl_min_protocol = TLSv1.2.
    expect(r.report.ports?.slice(3).map((p) => p.tls?.versions)).toEqual([1, 2, 3, 4].map(() => ['TLSv1.2', 'TLSv1.3']));
    expect(Object.keys(r.report.server)).toHaveLength(7);
  });

  it('finds nothing above info: no false alarms', async () => {
    const r = await runDiagnose([...ALL.map(labUrl), ...trust()]);
    // The lab is configured correctly (TLS >= 1.2 everywhere, full chains, no cleartext auth):
    // nothing may be reported above info.
    expect(serious(r.report)).toEqual([]);
    expect(r.report.findings.filter((f) => f.id === 'tls.version.legacy')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('with credentials tries no cleartext login, because none is offered before TLS', async () => {
    const user = lab.users[0]!;
    const r = await runDiagnose([...ALL.map(labUrl), ...trust(), '--user', user.user], { MAILPROBE_PASSWORD: user.password });
    expect(r.report.findings.filter((f) => f.id.startsWith('auth.'))).toEqual([]);
    expect(JSON.stringify(r.report)).not.toContain(user.password);
  });
});
