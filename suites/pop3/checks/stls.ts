/**
 * STLS command injection (RFC 2595 §4). Code, not YAML: the client pipelines a command after
 * STLS in plaintext, and a correct server may either discard it or take it as the start of the
 * TLS handshake (which then fails). Both are correct; a suite step treats a failed handshake
 * as a failure and cannot tell the two apart.
 */
import { isMailprobeError } from '../../../drivers/errors.js';
import { renderWireText } from '../../../drivers/transcript.js';
import { defineCheck, fail, inconclusive, pass } from '../../../engine/checks/code-check.js';
import { text } from './util.js';

// Code: a failed handshake is a correct outcome here.
export const stlsNoInjection = defineCheck(
  'pop3',
  {
    id: 'pop3.stls.no-injection',
    title: 'A command sent in plaintext right after STLS is not answered inside TLS',
    // "A TLS negotiation begins immediately after the CRLF at the end of the +OK response from
    // the server." Bytes the client sent after STLS belong to no POP3 exchange: a server that
    // runs them as a command inside TLS lets a man in the middle inject commands into the
    // protected session (the STARTTLS injection class, CVE-2011-0411).
    ref: 'RFC 2595 §4',
    level: 'MUST',
    requires: ['STLS'],
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    await c.sendRaw('STLS\r\nCAPA\r\n', { display: ['STLS', 'CAPA  (same write, plaintext)'] });
    const go = await c.readStatus({ timeoutMs: ctx.env.stepTimeoutMs });
    if (!go.ok) return inconclusive(`STLS got ${text(go)}`);
    let trailing: Buffer;
    try {
      trailing = (await c.transport.upgradeTls({ trailing: 'record' })).trailing;
    } catch (err) {
      if (isMailprobeError(err, 'ETLS_HANDSHAKE') || isMailprobeError(err, 'ECLOSED')) {
        return pass('the server took the plaintext CAPA as TLS data: the handshake failed and the command was not run');
      }
      throw err;
    }
    if (trailing.length > 0) {
      return fail(`after the STLS go-ahead the server answered the pipelined CAPA in plaintext: ${renderWireText(trailing.subarray(0, 120))}`);
    }
    try {
      const injected = await c.readStatus({ timeoutMs: Math.min(1000, ctx.env.stepTimeoutMs) });
      return fail(`inside TLS the server answered the CAPA sent in plaintext before the handshake: ${text(injected)}`);
    } catch (err) {
      if (isMailprobeError(err, 'ETIMEDOUT')) return pass('TLS came up and nothing answered the plaintext CAPA');
      if (isMailprobeError(err, 'ECLOSED')) return pass('TLS came up, then the server closed the connection without answering the plaintext CAPA');
      throw err;
    }
  },
);
