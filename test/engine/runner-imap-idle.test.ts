import { describe, expect, inject, it } from 'vitest';
import { parseSuite } from '../../engine/suite/loader.js';
import { runOnLab } from '../helpers/run-lab-checks.js';

const SUITE = `
suite: imap/idle-yaml
protocol: imap
checks:
  - id: imap.yaml.idle-push
    title: IDLE push readable from YAML
    ref: RFC 2177 §3
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: CREATE mailprobe-$uniq
        expect: { tagged: OK }
      - send: SELECT mailprobe-$uniq
        expect: { tagged: OK }
      - send: IDLE
        expect: { continuation: true }
      - conn: 2
        send: APPEND mailprobe-$uniq
        literal: "Subject: x\\r\\n\\r\\nx\\r\\n"
        expect: { tagged: OK }
      - expect: { untagged: ['* 1 EXISTS'] }
        timeout: 3s
      - send: DONE
        expect: { tagged: OK }
    cleanup:
      - conn: 2
        send: DELETE mailprobe-$uniq
  - id: imap.yaml.secret-literal
    title: a password sent as a literal shows neither bytes nor length
    ref: RFC 9051 §6.2.3
    level: MUST
    needs: [login]
    start: tls
    steps:
      - send: LOGIN "$user"
        literal: $password
        expect: { tagged: OK }
`;

describe('IMAP steps in YAML', () => {
  it('reads an IDLE push after the continuation, and hides a secret literal and its length', async () => {
    const lab = inject('lab');
    const out = await runOnLab(parseSuite(SUITE, 'idle.yaml').checks, ['imap'], { user: 1 });
    expect(out.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['imap.yaml.idle-push', 'pass', 'as required'],
      ['imap.yaml.secret-literal', 'pass', 'as required'],
    ]);
    const text = JSON.stringify(out.checks[1]!.transcript);
    expect(text).toContain('{***}');
    expect(text).not.toContain(`{${lab.users[1]!.password.length}}`);
    expect(text).not.toContain(lab.users[1]!.password);
  });
});
