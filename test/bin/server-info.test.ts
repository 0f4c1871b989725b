/**
 * Every check report records what the servers say they are: the IMAP ID response (asked with
 * `ID NIL` once per IMAP target) and the POP3 CAPA IMPLEMENTATION line, in the JSON, console,
 * Markdown and HTML reports, escaped like all server text. SMTP keeps only its greeting.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../bin/main.js';
import { parseTarget } from '../../drivers/target.js';
import { REPORT_SCHEMA } from '../../engine/report-schema.js';
import { probePop3 } from '../../engine/runner/probe-pop3.js';
import { implementationFromId } from '../../engine/runner/probe-imap.js';
import { renderConsole, renderHtml, renderMarkdown } from '../../reports/index.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import { fakeIo } from '../helpers/cli.js';
import { brokenPop3 } from '../helpers/pop3-broken-server.js';
import { labUrl } from '../helpers/run-lab-checks.js';
import { fixtureReport, HOSTILE, IMAP_URL, SMTP_URL } from '../reports/fixtures.js';

const lab = inject('lab');

describe('server implementation in the report, against the lab', () => {
  it('records Dovecot from IMAP ID; Dovecot 2.3 POP3 and Postfix say nothing beyond their greetings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-server-info-'));
    const user = lab.users[0]!;
    const imaps = labUrl('imaps');
    const pop3s = labUrl('pop3s');
    const submission = labUrl('submission');
    const io = fakeIo({ LAB_PASSWORD: user.password });
    const files = { json: join(dir, 'r.json'), md: join(dir, 'r.md'), html: join(dir, 'r.html') };
    const code = await main(
      [
        'check', imaps, pop3s, submission,
        '--only', 'imap.greeting.form,pop3.greeting.ok,smtp.greeting.format',
        '--user', user.user, '--password-env', 'LAB_PASSWORD', '--ca', lab.rootCaPath, '--servername', lab.servername,
        '--json', files.json, '--md', files.md, '--html', files.html,
      ],
      io,
    );
    expect(code, io.out() + io.err()).toBe(0);
    const report = REPORT_SCHEMA.parse(JSON.parse(await readFile(files.json, 'utf8')));
    // Dovecot's default imap_id_send is "name": `* ID ("name" "Dovecot")`, no version.
    expect(report.server[imaps]).toMatchObject({ greeting: expect.stringMatching(/Dovecot/), implementation: 'Dovecot' });
    // Dovecot 2.3 sends no IMPLEMENTATION in CAPA; Postfix has nothing like ID.
    expect(report.server[pop3s]).not.toHaveProperty('implementation');
    expect(report.server[pop3s]?.greeting).toMatch(/^\+OK Dovecot/);
    expect(report.server[submission]).not.toHaveProperty('implementation');
    expect(report.server[submission]?.greeting).toMatch(/^220 /);
    expect(io.out()).toContain(`server ${imaps}: Dovecot\n`);
    expect(io.out()).not.toContain(`server ${pop3s}`);
    expect(await readFile(files.md, 'utf8')).toContain(`Servers: ${imaps}: Dovecot\n`);
    expect(await readFile(files.html, 'utf8')).toContain('<code class="mp-implementation">Dovecot</code>');
  });
});

describe('POP3 CAPA IMPLEMENTATION', () => {
  let pki: LabPki;
  beforeAll(() => {
    pki = createLabPki();
  });

  it('is recorded by the probe', async () => {
    const server = await brokenPop3(pki);
    try {
      const caps = await probePop3({
        target: parseTarget(server.url),
        tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
        timeouts: { connectMs: 2000, greetingMs: 2000, tlsMs: 2000, commandMs: 2000 },
        signal: undefined,
        starttls: 'optional',
        clientName: 'client.mailprobe.test',
        credentials: undefined,
      });
      expect(caps.implementation).toBe('fake-pop3');
    } finally {
      await server.close();
    }
  });
});

describe('implementationFromId', () => {
  it.each([
    [null, undefined],
    [new Map([['name', 'Dovecot']]), 'Dovecot'],
    [new Map<string, string | null>([['Name', 'Cyrus IMAPD'], ['VERSION', '3.8.1'], ['os', 'Linux']]), 'Cyrus IMAPD 3.8.1'],
    [new Map<string, string | null>([['vendor', 'Example'], ['version', null]]), 'Example'],
    [new Map<string, string | null>([['name', null], ['os', 'Linux']]), undefined],
    [new Map([['name', 'x'.repeat(500)]]), 'x'.repeat(200)],
  ])('%o → %s', (params, expected) => {
    expect(implementationFromId(params)).toBe(expected);
  });
});

describe('the implementation is server text, escaped in every format', () => {
  const report = fixtureReport({
    server: {
      [SMTP_URL]: { greeting: '220 mx ESMTP', capabilities: [] },
      [IMAP_URL]: { greeting: '* OK ready', implementation: HOSTILE, capabilities: ['IMAP4rev1', 'ID'] },
    },
  });

  it('console', () => {
    const text = renderConsole(report, { color: false });
    const line = text.split('\n').find((l) => l.startsWith(`server ${IMAP_URL}: `));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(line).toContain('\\x1b[31m');
    expect(text).not.toContain(`server ${SMTP_URL}`);
  });

  it('Markdown', () => {
    const line = renderMarkdown(report).split('\n').find((l) => l.startsWith('Servers: '));
    expect(line).toBeDefined();
    expect(line).not.toContain('<script>');
    expect(line).toContain('&lt;script&gt;');
  });

  it('HTML', () => {
    const html = renderHtml(report);
    expect(html).toContain('<th scope="col">Implementation</th>');
    expect(html).toContain('<code class="mp-implementation">&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('JSON round trip through the schema keeps it', () => {
    expect(REPORT_SCHEMA.parse(JSON.parse(JSON.stringify(report))).server[IMAP_URL]?.implementation).toBe(HOSTILE);
  });
});
