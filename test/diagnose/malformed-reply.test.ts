/**
 * Replies that break the grammar or a size limit: mailprobe hangs up on them, so the port is
 * `port.malformed-reply` (with the classified error as evidence), not
 * `port.closed-after-command` (the server hung up) nor `port.wrong-protocol` (another protocol
 * answered). The servers are the hostile matrix's scripts (test/robustness/hostile-cases.ts),
 * run in this process, and the diagnose fault server.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabPki, type LabPki } from '../helpers/certs.js';
import { serverFor } from '../robustness/hostile-cases.js';
import { hostileServer } from '../robustness/hostile-server.js';
import { faultServer } from './fault-server.js';
import { expectOnly, runDiagnose, type DiagnoseRun } from './run-diagnose.js';

let pki: LabPki;
const open: { close(): Promise<void> }[] = [];
beforeAll(() => {
  pki = createLabPki();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** diagnose against one of the hostile matrix's servers. */
async function againstHostile(name: string, scheme: 'smtp' | 'imap'): Promise<DiagnoseRun> {
  const setup = serverFor(name, { key: pki.leaf.keyPem, cert: pki.chainPem });
  const server = await hostileServer(setup.script);
  open.push(server);
  return runDiagnose([`${scheme}://127.0.0.1:${server.port}`]);
}

function expectMalformed(r: DiagnoseRun, evidence: RegExp): void {
  const f = expectOnly(r, 'port.malformed-reply', 'high');
  expect(f.title).toBe("The server's reply broke the protocol");
  expect(f.evidence.at(-1)).toMatch(evidence);
  expect(f.detail).toMatch(/mailprobe hung up/);
  expect(r.report.findings.map((x) => x.id)).not.toContain('port.closed-after-command');
  expect(r.code).toBe(1);
}

describe('diagnose: replies that break the protocol', () => {
  it('calls a garbled EHLO reply (NUL, control and 8-bit bytes, no reply code) a malformed reply', async () => {
    const r = await againstHostile('nul-8bit-garbage', 'smtp');
    expectMalformed(r, /^I: EPROTOCOL: reply line does not start with a three-digit reply code: "\\x/);
    const f = r.report.findings[0]!;
    expect(f.detail).toMatch(/^The reply to EHLO is not valid SMTP \(reply line does not start/);
    expect(f.detail).not.toMatch(/closed the connection when/);
  });

  it('calls an invalid reply code inside a multi-line EHLO reply a malformed reply', async () => {
    const r = await againstHostile('invalid-codes', 'smtp');
    expectMalformed(r, /^I: EPROTOCOL: reply line has reply code 999 outside 2xx-5xx: "999 PIPELINING"$/);
    expect(r.report.ports?.[0]).toMatchObject({ observed: 'smtp-plaintext' });
  });

  it('calls an endless multi-line EHLO reply a malformed reply over the line-count limit', async () => {
    const r = await againstHostile('endless-multiline', 'smtp');
    expectMalformed(r, /^I: ELIMIT: reply line count exceeded: 10001 > 10000$/);
    expect(r.report.findings[0]!.detail).toMatch(/^The reply to EHLO broke a size limit/);
  });

  it('calls an IMAP literal announcing 2 GB a malformed reply over the literal limit', async () => {
    const r = await againstHostile('imap-literal-2gb', 'imap');
    expectMalformed(r, /^I: ELIMIT: literal size exceeded: 2147483648 > 67108864$/);
    expect(r.report.findings[0]!.detail).toMatch(/^The reply to CAPABILITY broke a size limit/);
  });

  it('calls a 10 MB greeting line a malformed reply, not another protocol', async () => {
    const r = await againstHostile('line-10mb', 'smtp');
    expectMalformed(r, /^I: ELIMIT: line length exceeded: \d+ > 1048576$/);
    expect(r.report.findings[0]!.detail).toMatch(/^The greeting broke a size limit/);
  });

  it('calls a greeting line with control bytes malformed, a printable one without a code another protocol', async () => {
    const garbled = await faultServer({ greeting: '220-fault.test\r\n\u0000\u001b[2J\u0007 garbage' });
    open.push(garbled);
    const r = await runDiagnose([`smtp://127.0.0.1:${garbled.port}`]);
    expectMalformed(r, /^I: EPROTOCOL: reply line does not start with a three-digit reply code: "\\x00\\x1b\[2J\\x07 garbage"$/);
    // FTP-style continuation text (RFC 959 multi-line replies) stays another protocol.
    const ftp = await faultServer({ greeting: '220-fault.test welcome\r\nThis service is for authorised users only' });
    open.push(ftp);
    const f = expectOnly(await runDiagnose([`smtp://127.0.0.1:${ftp.port}`]), 'port.wrong-protocol');
    expect(f.detail).toMatch(/not valid SMTP/);
  });

  it('keeps port.closed-after-command for a server that really hangs up (EOF on EHLO, reset mid-reply)', async () => {
    const eof = await faultServer({ closeOn: 'EHLO' });
    open.push(eof);
    const f = expectOnly(await runDiagnose([`smtp://127.0.0.1:${eof.port}`]), 'port.closed-after-command', 'high');
    expect(f.detail).toMatch(/^The server closed the connection when it got EHLO\./);
    const reset = await againstHostile('reset-after-n', 'smtp');
    const g = expectOnly(reset, 'port.closed-after-command', 'high');
    // The reset reads as a close or as ECONNRESET, depending on the Node version (20 vs 24).
    expect(g.evidence.at(-1)).toMatch(/closed the connection|ECONNRESET/);
    expect(reset.report.findings.map((x) => x.id)).not.toContain('port.malformed-reply');
  });
});
