/**
 * STARTTLS checks that YAML cannot express.
 *
 * - Plaintext injection: a correct server may either discard bytes pipelined after STARTTLS
 *   or take them as the start of the TLS handshake, which then fails (RFC 9051 §6.2.1 allows
 *   both). A suite step treats a failed handshake as a failure and cannot tell the two apart.
 * - STARTTLS on an implicit-TLS port: whether the port is implicit TLS is a fact of the target
 *   URL, which suite files cannot test.
 */
import { isMailprobeError } from '../../../drivers/errors.js';
import type { ImapClient } from '../../../drivers/imap/client.js';
import type { ImapResponse, TaggedResponse } from '../../../drivers/imap/response-types.js';
import { renderWireText } from '../../../drivers/transcript.js';
import { defineCheck, fail, inconclusive, pass, skip } from '../../../engine/checks/code-check.js';

/** Read until the tagged response for `tag` (untagged data in between is ignored). */
async function readTagged(c: ImapClient, tag: string, timeoutMs: number): Promise<TaggedResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r: ImapResponse = await c.readResponse({ timeoutMs: Math.max(1, deadline - Date.now()) });
    if (r.kind === 'tagged' && r.tag === tag) return r;
  }
}

export const starttlsNoInjection = defineCheck(
  'imap',
  {
    id: 'imap.starttls.no-plaintext-injection',
    title: 'A command pipelined in plaintext after STARTTLS is not answered inside TLS',
    // "server implementations MUST do one of the following if any data is received in the
    // same TCP buffer after the CRLF that starts the STARTTLS command: 1. Extra data ... is
    // interpreted as the beginning of the TLS handshake ... 2. Extra data ... is thrown away."
    ref: 'RFC 9051 §6.2.1',
    level: 'MUST',
    requires: ['STARTTLS'],
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    await c.sendRaw('M1 STARTTLS\r\nM2 NOOP\r\n', { display: ['M1 STARTTLS', 'M2 NOOP  (same write, plaintext)'] });
    const go = await readTagged(c, 'M1', ctx.env.stepTimeoutMs);
    if (go.status !== 'OK') return inconclusive(`STARTTLS got ${renderWireText(go.raw)}`);
    // A server that runs M2 in plaintext answers right after the go-ahead: give it a moment,
    // so its answer is in the buffer (a trailing-bytes failure), not mistaken for TLS data.
    await new Promise((resolve) => setTimeout(resolve, 150));
    let trailing: Buffer;
    try {
      trailing = (await c.transport.upgradeTls({ trailing: 'record' })).trailing;
    } catch (err) {
      if (isMailprobeError(err, 'ETLS_HANDSHAKE') || isMailprobeError(err, 'ECLOSED')) {
        return pass('the server took the plaintext NOOP as TLS data: the handshake failed and the command was not run');
      }
      throw err;
    }
    if (trailing.length > 0) {
      return fail(`after the STARTTLS go-ahead the server answered the pipelined NOOP in plaintext: ${renderWireText(trailing.subarray(0, 120))}`);
    }
    try {
      const injected = await readTagged(c, 'M2', Math.min(1000, ctx.env.stepTimeoutMs));
      return fail(`inside TLS the server answered the NOOP sent in plaintext before the handshake: ${renderWireText(injected.raw)}`);
    } catch (err) {
      if (isMailprobeError(err, 'ETIMEDOUT')) return pass('TLS came up and nothing answered the plaintext NOOP');
      if (isMailprobeError(err, 'ECLOSED')) return pass('TLS came up, then the server closed the connection without answering the plaintext NOOP');
      throw err;
    }
  },
);

export const starttlsRefusedOnImplicitTls = defineCheck(
  'imap',
  {
    id: 'imap.starttls.bad-on-implicit-tls',
    title: 'STARTTLS on an implicit-TLS port is answered with a tagged BAD',
    // "The server MUST always respond with a tagged BAD response when the STARTTLS command is
    // received on an Implicit TLS port." (RFC 3501 §6.2.1 lists only OK and BAD as results.)
    ref: 'RFC 9051 §6.2.1',
    level: 'MUST',
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => {
    if (!ctx.env.target.implicitTls) return skip(`${ctx.env.target.url} is not an implicit-TLS port`);
    const c = await ctx.open();
    const r = await c.command('STARTTLS');
    if (r.status === 'BAD') return pass();
    return fail(`STARTTLS on an implicit-TLS port answered ${r.status} ${r.text}`.trim());
  },
);
