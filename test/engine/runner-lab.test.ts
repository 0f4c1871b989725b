import { describe, expect, inject, it } from 'vitest';
import { parseSuite } from '../../engine/suite/loader.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { parseTarget } from '../../drivers/target.js';
import { secret } from '../../drivers/redact.js';

const lab = inject('lab');
const user = lab.users[0]!;

const SMTP = `
suite: smtp/sample
protocol: smtp
checks:
  - id: smtp.greeting.code
    title: greeting is 220
    ref: RFC 5321 §4.2
    level: MUST
    steps:
      - expect: { code: 220 }
  - id: smtp.rcpt.without-mail
    title: RCPT without MAIL is a bad sequence
    ref: RFC 5321 §4.1.4
    level: MUST
    start: ehlo
    steps:
      - send: "RCPT TO:<postmaster@$domain>"
        expect: { code: 503 }
  - id: smtp.ehlo.no-starttls-after-tls
    title: STARTTLS not advertised after TLS
    ref: RFC 3207 §4.2
    level: MUST
    requires: [STARTTLS]
    start: tls
    steps:
      - send: "EHLO $client"
        expect: { code: 250, excludes: [STARTTLS] }
  - id: smtp.broken.expectation
    title: a check that fails
    ref: none
    level: SHOULD
    steps:
      - send: NOOP
        expect: { code: 500 }
`;

const IMAP = `
suite: imap/sample
protocol: imap
checks:
  - id: imap.greeting.ok
    title: greeting
    ref: RFC 9051 §7.1
    level: MUST
    steps:
      - expect: { untagged: ["* OK ..."] }
  - id: imap.select.inbox
    title: select inbox
    ref: RFC 9051 §6.3.2
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: SELECT inbox
        expect: { tagged: OK, untagged: ["* $n EXISTS", "* OK [UIDVALIDITY $v]..."] }
      - send: STATUS INBOX (MESSAGES)
        expect: { tagged: OK }
  - id: imap.append.literal
    title: append with literal then cleanup
    ref: RFC 9051 §6.3.12
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: CREATE mailprobe-$uniq
        expect: { tagged: OK }
      - send: APPEND mailprobe-$uniq
        literal: "Subject: x\\r\\n\\r\\nhello\\r\\n"
        expect: { tagged: OK }
    cleanup:
      - send: DELETE mailprobe-$uniq
`;

const POP3 = `
suite: pop3/sample
protocol: pop3
checks:
  - id: pop3.greeting.ok
    title: greeting
    ref: RFC 1939 §4
    level: MUST
    steps:
      - expect: { status: +OK }
  - id: pop3.stat.format
    title: STAT
    ref: RFC 1939 §5
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: STAT
        expect: { status: +OK, text: "^\\\\d+ \\\\d+" }
      - send: CAPA
        expect: { status: +OK, includes: [UIDL] }
`;

describe('runner against the lab', () => {
  it('runs SMTP, IMAP and POP3 checks with the right verdicts', async () => {
    const checks = [parseSuite(SMTP, 'smtp.yaml'), parseSuite(IMAP, 'imap.yaml'), parseSuite(POP3, 'pop3.yaml')].flatMap((s) => s.checks);
    const out = await runChecks({
      targets: [
        parseTarget(`smtp://${lab.hosts.smtp}:${lab.ports.smtp}`),
        parseTarget(`imap://${lab.hosts.imap}:${lab.ports.imap}`),
        parseTarget(`pop3://${lab.hosts.pop3}:${lab.ports.pop3}`),
      ],
      checks,
      tls: { servername: lab.servername, ca: lab.rootCaPem },
      starttls: 'optional',
      timeouts: {},
      stepTimeoutMs: 5000,
      fixtures: { credentials: { user: user.user, password: secret(user.password) }, rcpt: undefined, mailbox: 'INBOX', clientName: 'client.mailprobe.test' },
      signal: undefined,
      concurrency: 4,
    });
    const byId = Object.fromEntries(out.checks.map((c) => [c.id, c]));
    const statuses = Object.fromEntries(out.checks.map((c) => [c.id, c.status]));
    expect(statuses, JSON.stringify(out.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.message]), null, 1)).toEqual({
      'smtp.greeting.code': 'pass',
      'smtp.rcpt.without-mail': 'pass',
      'smtp.ehlo.no-starttls-after-tls': 'pass',
      'smtp.broken.expectation': 'warn',
      'imap.greeting.ok': 'pass',
      'imap.select.inbox': 'pass',
      'imap.append.literal': 'pass',
      'pop3.greeting.ok': 'pass',
      'pop3.stat.format': 'pass',
    });
    expect(byId['smtp.broken.expectation']!.message).toMatch(/expected code 500, got 250/);
    expect(JSON.stringify(out.checks)).not.toContain(user.password);
    expect(out.server[`imap://${lab.hosts.imap}:${lab.ports.imap}`]?.capabilities.join(' ')).toMatch(/IMAP4rev1/);
  });
});
