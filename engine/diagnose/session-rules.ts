/**
 * Findings from the main conversation: refusals and hang-ups, STARTTLS (RFC 3207, RFC 2595,
 * RFC 9051 §6.2.1) and authentication exposure (RFC 3207 §6, RFC 3501 §6.2.3, RFC 6409 §4.3).
 */
import { SCHEMES } from '../../drivers/target.js';
import type { Finding } from '../report-types.js';
import { evidenceLines, finding, transcriptTail } from './finding.js';
import { GREETING_REST_FACTOR } from './session.js';
import type { Capabilities, Endpoint, MalformedReply, SessionResult } from './types.js';

export interface SessionRuleInput {
  readonly endpoint: Endpoint;
  readonly session: SessionResult;
  /** The port speaks another protocol or TLS mode than it is for (port-rules.ts). */
  readonly mixup: boolean;
  readonly timeoutMs: number;
}

export function judgeSession(input: SessionRuleInput): Finding[] {
  const { endpoint, session } = input;
  const out: Finding[] = [];
  const tail = transcriptTail(session.transcript);
  const greeting = session.greeting.split('\n').map((l) => `S: ${l}`);
  switch (session.greetingStatus) {
    case 'unavailable':
      out.push(finding('port.service-unavailable', endpoint, { seen: `The server refused the session: ${oneLine(session.greeting)}.`, evidence: greeting }));
      return out;
    case 'rate-limited':
      out.push(finding('port.rate-limited', endpoint, { seen: `The server turned the probe away (${oneLine(session.greeting)}); nothing further could be tested.`, evidence: greeting }));
      return out;
    case 'preauth':
      out.push(finding('auth.preauth-greeting', endpoint, { seen: 'The IMAP greeting is PREAUTH: the session is logged in before any credentials.', evidence: greeting }));
      return out;
    case 'ok':
  }
  if (session.greetingCut) {
    out.push(finding('port.rate-limited', endpoint, { seen: `The greeting began but did not finish within ${GREETING_REST_FACTOR * input.timeoutMs} ms (a greeting delay such as postscreen_greet_wait, or a tarpit); raise --timeout to probe further.`, evidence: tail }));
    return out;
  }
  if (session.malformedReply) {
    out.push(malformedFinding(endpoint, session, session.malformedReply));
    return out;
  }
  if (session.greetingError !== undefined) {
    out.push(finding('port.wrong-protocol', endpoint, { seen: `The greeting starts like ${session.protocol.toUpperCase()} but is not valid ${session.protocol.toUpperCase()}: ${session.greetingError}.`, evidence: tail }));
    return out;
  }
  if (session.closedAfterGreeting) {
    out.push(finding('port.closed-after-greeting', endpoint, { seen: 'The server closed the connection right after its greeting, before any command.', evidence: tail }));
    return out;
  }
  if (session.closedAfterCommand) {
    const { command, how } = session.closedAfterCommand;
    const seen = how === 'closed' ? `The server closed the connection when it got ${command}.` : `The server stopped answering after ${command} (no reply within ${input.timeoutMs} ms).`;
    out.push(finding('port.closed-after-command', endpoint, { seen, evidence: tail }));
    return out;
  }
  out.push(...judgeStarttls(input));
  out.push(...judgeAuth(input));
  return out;
}

function judgeStarttls(input: SessionRuleInput): Finding[] {
  const { endpoint, session } = input;
  const out: Finding[] = [];
  const verb = session.protocol === 'pop3' ? 'STLS' : 'STARTTLS';
  const step = session.starttls;
  if (!session.implicitTls && step?.tls === undefined) {
    const offered = session.caps?.starttls === true;
    if (step !== undefined && (step.accepted || offered)) {
      const seen = step.accepted
        ? `The server accepted ${verb} but the TLS handshake failed: ${step.error ?? 'no handshake'}${step.errorCode ? ` (${step.errorCode})` : ''}.`
        : `The server offers ${verb} but refused it: ${step.reply}.`;
      out.push(finding('starttls.failed', endpoint, { seen, evidence: transcriptTail(session.transcript) }));
    } else if (!offered && !input.mixup) {
      const role = endpoint.expected === undefined ? undefined : SCHEMES[endpoint.expected].role;
      const how = session.caps === undefined ? `the server lists no capabilities and refused ${verb}` : `the capabilities do not list ${verb}`;
      out.push(finding('starttls.not-offered', endpoint, { seen: `The plaintext ${session.protocol.toUpperCase()} service does not offer TLS: ${how}.`, severity: role === 'mx' ? 'medium' : undefined, evidence: capsEvidence(session.caps) }));
    }
  }
  const inside = session.implicitTls ? session.caps : step?.capsAfter;
  if (inside?.starttls) {
    const seen = session.implicitTls ? `On implicit TLS the capabilities still offer ${verb}.` : `After the TLS handshake the capabilities still offer ${verb}.`;
    out.push(finding('starttls.readvertised-after-tls', endpoint, { seen, evidence: evidenceLines(session.transcript, (e) => e.dir === 'S' && /STARTTLS|^STLS/i.test(e.text)) }));
  }
  return out;
}

function judgeAuth(input: SessionRuleInput): Finding[] {
  const { endpoint, session } = input;
  const out: Finding[] = [];
  if (!session.implicitTls && session.caps?.cleartextLogin) {
    const what =
      session.protocol === 'smtp'
        ? `AUTH ${session.caps.mechanisms.join(' ')} is offered`
        : session.protocol === 'imap'
          ? `LOGIN is allowed (no LOGINDISABLED)${session.caps.mechanisms.length > 0 ? ` and AUTH=${session.caps.mechanisms.join(' AUTH=')} offered` : ''}`
          : `${session.caps.raw.filter((l) => /^(USER|SASL)\b/i.test(l)).join(' and ')} offered`;
    out.push(finding('auth.plaintext-before-tls', endpoint, { seen: `Before TLS, ${what}.`, evidence: session.caps.cleartextEvidence }));
  }
  const role = endpoint.expected === undefined ? undefined : SCHEMES[endpoint.expected].role;
  if (role === 'submission' && session.protocol === 'smtp' && !input.mixup) {
    const tlsCaps = session.implicitTls ? session.caps : session.starttls?.capsAfter;
    // With STARTTLS offered but broken, AUTH may well be there inside TLS (smtpd_tls_auth_only).
    const known = tlsCaps ?? (session.caps?.starttls === false ? session.caps : undefined);
    if (known !== undefined && known.mechanisms.length === 0) {
      const where = tlsCaps ? 'inside TLS' : 'and TLS never came up';
      out.push(finding('auth.not-offered', endpoint, { seen: `EHLO lists no AUTH ${where}.`, evidence: capsEvidence(known) }));
    }
  }
  return out;
}

/** Characters of the driver's message quoted in a finding's detail. */
const MESSAGE_IN_DETAIL = 120;

/**
 * The reply broke the grammar or a size limit and mailprobe hung up: not a server that closed
 * (port.closed-after-command) nor another protocol (port.wrong-protocol, a foreign banner).
 */
function malformedFinding(endpoint: Endpoint, session: SessionResult, bad: MalformedReply): Finding {
  const name = session.protocol.toUpperCase();
  const what = bad.command === undefined ? 'The greeting' : `The reply to ${bad.command}`;
  // The message may quote up to 200 escaped bytes of garbage: the evidence has it whole.
  const chars = [...bad.message];
  const message = chars.length > MESSAGE_IN_DETAIL ? `${chars.slice(0, MESSAGE_IN_DETAIL).join('')}…` : bad.message;
  const broke = bad.code === 'ELIMIT' ? `broke a size limit (${message})` : `is not valid ${name} (${message})`;
  const seen = `${what} ${broke}; mailprobe hung up on it (the server did not close the connection).`;
  return finding('port.malformed-reply', endpoint, { seen, evidence: [...transcriptTail(session.transcript, 6), `I: ${bad.code}: ${bad.message}`] });
}

function capsEvidence(caps: Capabilities | undefined): string[] {
  return caps ? caps.raw.map((l) => `S: ${l}`) : [];
}

function oneLine(text: string): string {
  return text.split('\n').join(' / ');
}
