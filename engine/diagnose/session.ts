/**
 * The main conversation on a port, whatever the protocol: greeting, capabilities, STARTTLS and
 * capabilities again inside TLS (RFC 3207 §4.2, RFC 3501 §6.2.1, RFC 2595 §4: what was learnt
 * before TLS is discarded), then QUIT/LOGOUT. It records what happened; rules judge it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isMailprobeError, MailprobeError } from '../../drivers/errors.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { TransportOptions } from '../../drivers/transport.js';
import { looksRateLimited } from './greeting.js';
import type { Conversation, ProtocolAdapter } from './protocol.js';
import type { Capabilities, GreetingStatus, MalformedReply, SessionResult, StartTlsStep } from './types.js';

export interface SessionInput {
  readonly adapter: ProtocolAdapter;
  readonly options: TransportOptions;
  readonly implicitTls: boolean;
  readonly clientName: string;
}

/** How many --timeout deadlines the rest of a multi-line greeting may take once its first line came. */
export const GREETING_REST_FACTOR = 2;

/**
 * A server that closes right after its greeting sends the FIN with it; waiting this long before
 * the first command tells "closed after the greeting" from "closed on the command".
 */
export const GREETING_GRACE_MS = 100;

/** How drivers/transcript.ts renderWireText shows a NUL, control or invalid UTF-8 byte in a message. */
const ESCAPED_BYTE = /\\x[0-9a-f]{2}/;

export async function runSession(input: SessionInput): Promise<SessionResult> {
  const { adapter } = input;
  const base = { protocol: adapter.protocol, implicitTls: input.implicitTls };
  let conv: Conversation;
  try {
    conv = await adapter.open(input.options, input.clientName);
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    // The first line came (that is how the protocol was known), the rest did not.
    const transcript = err.context.transcript ?? [];
    // A greeting over a size limit, or with NUL, control or invalid 8-bit bytes (shown as \xNN),
    // is broken, not another protocol; a printable line that is not the protocol's after a
    // first line that was (an FTP `220-` banner's text lines) is what another protocol looks like.
    const malformed = malformedReply(err, undefined);
    const broken = malformed !== undefined && (malformed.code === 'ELIMIT' || ESCAPED_BYTE.test(malformed.message));
    return {
      ...base,
      greeting: lastServerLines(transcript),
      greetingStatus: 'ok',
      closedAfterGreeting: err.code === 'ECLOSED',
      closedAfterCommand: undefined,
      malformedReply: broken ? malformed : undefined,
      greetingCut: err.code === 'ETIMEDOUT',
      greetingError: err.code === 'ECLOSED' || err.code === 'ETIMEDOUT' || broken ? undefined : err.message,
      caps: undefined,
      starttls: undefined,
      transcript,
    };
  }
  try {
    return await converse(conv, input, base);
  } finally {
    conv.destroy();
  }
}

async function converse(conv: Conversation, input: SessionInput, base: Pick<SessionResult, 'protocol' | 'implicitTls'>): Promise<SessionResult> {
  const { adapter } = input;
  const result = (over: Partial<SessionResult>): SessionResult => ({
    ...base,
    greeting: conv.greeting,
    greetingStatus: conv.greetingStatus,
    closedAfterGreeting: false,
    closedAfterCommand: undefined,
    malformedReply: undefined,
    greetingCut: false,
    greetingError: undefined,
    caps: undefined,
    starttls: undefined,
    transcript: conv.transport.snapshot(),
    ...over,
  });
  if (conv.greetingStatus !== 'ok') {
    await conv.quit();
    return result({});
  }
  await delay(GREETING_GRACE_MS, undefined, input.options.signal ? { signal: input.options.signal } : {}).catch(() => undefined);
  if (conv.transport.closed) return result({ closedAfterGreeting: true });

  const first = await step(() => conv.capabilities(), adapter.capabilityVerb);
  if (first.kind === 'malformed') return result({ malformedReply: first.reply });
  if (first.kind === 'failed') return result({ closedAfterCommand: first.closed });
  if (first.value.refusal !== undefined) {
    await conv.quit();
    return result({ greetingStatus: refusalStatus(first.value.refusal), greeting: `${conv.greeting}\n${first.value.refusal}` });
  }
  const caps = first.value.caps;
  // POP3 without CAPA (RFC 2449 is optional) may still know STLS: try it.
  const tryStarttls = !input.implicitTls && (caps?.starttls === true || (caps === undefined && adapter.protocol === 'pop3'));
  const starttls = tryStarttls ? await upgrade(conv) : undefined;
  await conv.quit();
  return result({ caps, starttls, transcript: conv.transport.snapshot() });
}

async function upgrade(conv: Conversation): Promise<StartTlsStep> {
  try {
    const up = await conv.starttls();
    if (!up.accepted || up.tls === undefined) {
      return { accepted: up.accepted, reply: up.reply, tls: undefined, error: undefined, errorCode: undefined, trailingBytes: up.trailingBytes, capsAfter: undefined };
    }
    let capsAfter: Capabilities | undefined;
    try {
      capsAfter = (await conv.capabilities()).caps;
    } catch (err) {
      if (isMailprobeError(err, 'EABORTED')) throw err;
      capsAfter = undefined;
    }
    return { accepted: true, reply: up.reply, tls: up.tls, error: undefined, errorCode: undefined, trailingBytes: up.trailingBytes, capsAfter };
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    const tlsError = err.context.detail?.['tlsError'];
    const transcript = err.context.transcript ?? conv.transport.snapshot();
    const reply = lastServerLines(transcript, 1);
    // Transport notes "TLS handshake" when it starts one: the go-ahead had come.
    const handshakeStarted = transcript.some((e) => e.dir === 'I' && e.text.startsWith('TLS handshake'));
    return {
      accepted: handshakeStarted || err.code === 'ETLS_HANDSHAKE',
      reply,
      tls: undefined,
      error: err.message,
      errorCode: typeof tlsError === 'string' ? tlsError : err.code,
      trailingBytes: 0,
      capsAfter: undefined,
    };
  }
}

type Step<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'failed'; closed: { command: string; how: 'closed' | 'no-reply' } }
  | { kind: 'malformed'; reply: MalformedReply };

/**
 * Run one command; a dropped connection, a missing reply or one that breaks the grammar or a
 * size limit (after which the driver hung up, not the server) becomes data, not an exception.
 */
async function step<T>(run: () => Promise<T>, command: string): Promise<Step<T>> {
  try {
    return { kind: 'ok', value: await run() };
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    const malformed = malformedReply(err, command);
    if (malformed) return { kind: 'malformed', reply: malformed };
    return { kind: 'failed', closed: { command, how: err.code === 'ETIMEDOUT' ? 'no-reply' : 'closed' } };
  }
}

/** EPROTOCOL and ELIMIT: the reply was the problem, and mailprobe gave the connection up. */
function malformedReply(err: MailprobeError, command: string | undefined): MalformedReply | undefined {
  return err.code === 'EPROTOCOL' || err.code === 'ELIMIT' ? { command, code: err.code, message: err.message } : undefined;
}

/**
 * A refused first command: 421/554 and IMAP BYE close the service to us (unless the text says
 * rate limit); any other refusal (550 for our EHLO name, a 4xx) is a policy about this prober,
 * which makes the port's results inconclusive rather than the service broken.
 */
function refusalStatus(text: string): GreetingStatus {
  if (looksRateLimited(text)) return 'rate-limited';
  return /^(421|554)\b|^\* BYE\b/i.test(text) ? 'unavailable' : 'rate-limited';
}

/** The last `n` server lines of a transcript, joined: what the server said before things failed. */
function lastServerLines(transcript: readonly TranscriptEntry[], n = 20): string {
  return transcript
    .filter((e) => e.dir === 'S')
    .slice(-n)
    .map((e) => e.text)
    .join('\n');
}
