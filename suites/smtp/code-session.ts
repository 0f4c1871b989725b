/**
 * SMTP code checks about the session as a whole: greeting, reply framing, enhanced status codes,
 * STARTTLS command injection. Each says why it is not YAML.
 */
import { isMailprobeError } from '../../drivers/errors.js';
import type { SmtpReply } from '../../drivers/smtp/reply.js';
import { defineCheck, fail, inconclusive, pass, type CodeCheck } from '../../engine/checks/code-check.js';
import { DOMAIN_OR_LITERAL, ENHANCED_PREFIX, replyWithin, send, show, variable, type SmtpContext } from './code-support.js';

/**
 * Not YAML: the greeting grammar (RFC 5321 §4.2 "Greeting") applies to a 220 only; a 554 (§3.1)
 * is a Reply-line with free text, and a 421 means "could not decide". A YAML step has one
 * expectation, not one per reply code.
 */
const greetingFormat = defineCheck(
  'smtp',
  {
    id: 'smtp.greeting.format',
    title: 'The greeting is 220 followed by the server\'s domain or address literal (or a 554 refusal)',
    ref: 'RFC 5321 §4.2, §3.1',
    level: 'MUST',
    start: 'connected',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    const greeting = await client.readReply({ phase: 'greeting', timeoutMs: ctx.env.stepTimeoutMs });
    if (greeting.code === 421) return inconclusive(`the server is not available now: ${show(greeting)}`);
    if (greeting.code === 554) return pass(`554 refusal greeting, allowed by RFC 5321 §3.1: ${show(greeting)}`);
    if (greeting.code !== 220) return fail(`expected a 220 greeting (or 554), got ${show(greeting)}`);
    const first = greeting.lines[0] ?? '';
    if (!DOMAIN_OR_LITERAL.test(first)) {
      return fail(`the first word after 220 must be the server's domain or an address literal, got "220 ${first}"`);
    }
    return pass();
  },
);

/**
 * Not YAML: framing defects the reply parser tolerates (lines ending in a bare LF, lines of one
 * reply with different codes) are only visible as `anomalies` on the parsed reply, which no
 * expectation field exposes.
 */
const replyFormat = defineCheck(
  'smtp',
  {
    id: 'smtp.reply.format',
    title: 'Replies end lines in CRLF and every line of a multiline reply carries the same code',
    ref: 'RFC 5321 §4.2.1, §2.3.8',
    level: 'MUST',
    start: 'connected',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    const greeting = await client.readReply({ phase: 'greeting', timeoutMs: ctx.env.stepTimeoutMs });
    if (greeting.code !== 220) return inconclusive(`the server is not accepting commands: ${show(greeting)}`);
    const seen: [string, SmtpReply][] = [['greeting', greeting]];
    for (const command of [`EHLO ${variable(ctx, 'client')}`, 'NOOP', 'XMAILPROBEUNKNOWN', 'HELP', 'QUIT']) {
      seen.push([command, await send(ctx, client, command)]);
    }
    for (const [command, reply] of seen) {
      if (reply.anomalies.includes('code-mismatch')) return fail(`the reply to ${command} mixes reply codes across its lines: ${reply.raw.map((l) => JSON.stringify(l.toString('latin1'))).join(' ')}`);
      if (reply.anomalies.includes('bare-lf')) return fail(`the reply to ${command} ends a line in a bare LF instead of CRLF: ${show(reply)}`);
    }
    return pass();
  },
);

/** Commands whose replies must carry enhanced status codes (RFC 2034 §4), and what they cost. */
function enhancedProbes(ctx: SmtpContext): string[] {
  return ['NOOP', 'RSET', 'VRFY postmaster', 'XMAILPROBEUNKNOWN', `RCPT TO:<postmaster@${variable(ctx, 'domain')}>`, 'QUIT'];
}

async function probeEnhanced(ctx: SmtpContext): Promise<[string, SmtpReply][]> {
  const client = await ctx.open();
  const out: [string, SmtpReply][] = [];
  for (const command of enhancedProbes(ctx)) out.push([command, await send(ctx, client, command)]);
  return out;
}

/**
 * Not YAML: RFC 2034 §4 puts the code on every line of 2xx/4xx/5xx replies (3xx excepted) and
 * the same code on each line of a multiline reply; the `enhanced` expectation looks at the first
 * line of one reply only.
 */
const enhancedPresent = defineCheck(
  'smtp',
  {
    id: 'smtp.enhanced.present',
    title: 'With ENHANCEDSTATUSCODES, every 2xx/4xx/5xx reply line starts with the same X.Y.Z code',
    ref: 'RFC 2034 §4',
    level: 'MUST',
    requires: ['ENHANCEDSTATUSCODES'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    for (const [command, reply] of await probeEnhanced(ctx)) {
      if (reply.code >= 300 && reply.code < 400) continue;
      const codes = reply.lines.map((l) => ENHANCED_PREFIX.exec(l)?.slice(1, 4).join('.'));
      const missing = codes.findIndex((c) => c === undefined);
      if (missing !== -1) return fail(`the reply to ${command} has no enhanced status code on line ${missing + 1}: "${reply.code} ${reply.lines[missing] ?? ''}"`);
      if (new Set(codes).size > 1) return fail(`the lines of the reply to ${command} carry different enhanced codes: ${codes.join(', ')}`);
    }
    return pass();
  },
);

/**
 * Not YAML: the class digit must equal the first digit of whatever reply code came back, which an
 * expectation can only state for a reply code known in advance.
 */
const enhancedClass = defineCheck(
  'smtp',
  {
    id: 'smtp.enhanced.class-matches',
    title: 'The class of each enhanced status code equals the class of its reply code',
    ref: 'RFC 2034 §4',
    level: 'MUST',
    requires: ['ENHANCEDSTATUSCODES'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    for (const [command, reply] of await probeEnhanced(ctx)) {
      for (const line of reply.lines) {
        const m = ENHANCED_PREFIX.exec(line);
        if (m && Number(m[1]) !== Math.floor(reply.code / 100)) {
          return fail(`the reply to ${command} is a ${reply.code} with enhanced code ${m[1]}.${m[2]}.${m[3]}: the classes must agree`);
        }
      }
    }
    return pass();
  },
);

/**
 * Not YAML: the verdict depends on which of three things happens after the handshake (an answer
 * inside TLS: injection; silence: correct; a handshake that fails because the server fed the
 * plaintext to TLS: the injection cannot be observed), and a failed handshake is an exception
 * the step runner always reports as a failure.
 */
/** How long to wait after the 220 for a plaintext answer to the pipelined NOOP. */
const PLAINTEXT_GRACE_MS = 150;
/** OpenSSL's words for a record that is not TLS at all (the server sent plaintext). */
const NOT_TLS = /wrong version number|unknown protocol|packet length too long|record layer failure/i;

const starttlsInjection = defineCheck(
  'smtp',
  {
    id: 'smtp.starttls.no-command-injection',
    title: 'A command pipelined after STARTTLS in plaintext is not answered inside TLS',
    ref: 'RFC 3207 §4.2',
    level: 'MUST',
    requires: ['STARTTLS'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    await client.sendRaw('STARTTLS\r\nNOOP\r\n', { display: ['STARTTLS', 'NOOP (pipelined in the same write)'] });
    const go = await client.readReply({ timeoutMs: ctx.env.stepTimeoutMs });
    if (go.code !== 220) return inconclusive(`STARTTLS was not accepted: ${show(go)}`);
    // A plaintext answer to the NOOP may trail the 220 by a moment; give it the chance to arrive
    // before the socket is handed to TLS, where it would only show as a garbled handshake.
    await new Promise((resolve) => setTimeout(resolve, PLAINTEXT_GRACE_MS));
    try {
      await client.transport.upgradeTls();
    } catch (err) {
      const plaintext = isMailprobeError(err, 'ESTARTTLS_TRAILING') || (isMailprobeError(err, 'ETLS_HANDSHAKE') && NOT_TLS.test(err.message));
      if (plaintext) {
        return fail(`the server answered the pipelined NOOP in plaintext after its STARTTLS go-ahead (${err.message}): it processes input that arrived before TLS`);
      }
      if (isMailprobeError(err, 'ETLS_HANDSHAKE') || isMailprobeError(err, 'ECLOSED')) {
        return inconclusive(`the TLS handshake did not complete after the pipelined bytes (${err.message}); the injection cannot be observed`);
      }
      throw err;
    }
    const late = await replyWithin(client, 700);
    if (late === undefined || late === 'closed') return pass('no reply to the pre-TLS NOOP inside TLS');
    return fail(`the NOOP sent in plaintext before the handshake was answered inside TLS: ${show(late)} (CVE-2011-0411 class)`);
  },
);

export const SESSION_CODE_CHECKS: readonly CodeCheck<'smtp'>[] = [greetingFormat, replyFormat, enhancedPresent, enhancedClass, starttlsInjection];
