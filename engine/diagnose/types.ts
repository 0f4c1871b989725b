/**
 * The data diagnose passes between its steps: what is probed (Endpoint), with which settings
 * (DiagnoseSettings), and what a port's conversation showed (SessionResult). Plain data; the
 * rules (port-rules.ts, session-rules.ts, certificate-rules.ts) turn it into findings.
 */
import type { Socket } from 'node:net';
import type { Protocol, Scheme } from '../../drivers/target.js';
import type { Secret } from '../../drivers/redact.js';
import type { Timeouts } from '../../drivers/timeouts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';

/** One port to diagnose and what it is for. */
export interface Endpoint {
  /** The host as the user wrote it (name or address): SNI and certificate name default to it. */
  readonly host: string;
  readonly port: number;
  /**
   * What the port is for: from the URL's scheme, or the well-known port number (RFC 8314 §7,
   * RFC 6409): 25 smtp, 465 smtps, 587 submission, 143 imap, 993 imaps, 110 pop3, 995 pop3s.
   * undefined: a non-standard port given with --ports and no role; only observed.
   */
  readonly expected: Scheme | undefined;
  /** The user asked for this port (URL or --ports), rather than it being in the default list. */
  readonly explicit: boolean;
}

/** Everything a probe needs besides the endpoint; built once per run. */
export interface DiagnoseSettings {
  /** The user's TLS options (servername, ca, insecure); diagnose never aborts on verification. */
  readonly tls: TlsClientOptions;
  /** The per-step deadline (`--timeout`). */
  readonly timeoutMs: number;
  readonly timeouts: Partial<Timeouts>;
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
  readonly signal: AbortSignal | undefined;
  /** Wall clock for certificate dates (tests pin it). */
  readonly now: () => Date;
  /** EHLO name. */
  readonly clientName: string;
  /**
   * Opens the TCP connections of a port, its first contact and every probe (default
   * net.connect); `--connect-to` and tests inject one.
   */
  readonly connect?: TcpConnector;
  /**
   * `--probes`: also the security probes that open mail transactions or fail logins on purpose
   * (engine/diagnose/security.ts); `rcpt` is the local recipient (--rcpt) they may mail to.
   * Undefined: off.
   */
  readonly probes?: { readonly rcpt: string | undefined };
}

export type TcpConnector = (target: { host: string; port: number }) => Socket;

/** What a capability list says, whatever the protocol. */
export interface Capabilities {
  /** As the server sent them (EHLO keywords with parameters, IMAP atoms, CAPA lines). */
  readonly raw: readonly string[];
  readonly starttls: boolean;
  /** SASL mechanisms offered (SMTP AUTH, IMAP AUTH=, POP3 SASL), upper-case. */
  readonly mechanisms: readonly string[];
  /**
   * A password could be sent as it is: SMTP AUTH PLAIN/LOGIN, IMAP LOGIN without LOGINDISABLED
   * or AUTH=PLAIN/LOGIN, POP3 USER or SASL PLAIN/LOGIN.
   */
  readonly cleartextLogin: boolean;
  /** The lines that show `cleartextLogin` (evidence). */
  readonly cleartextEvidence: readonly string[];
}

export type GreetingStatus = 'ok' | 'preauth' | 'unavailable' | 'rate-limited';

/**
 * A reply (or the greeting) broke the protocol's grammar (EPROTOCOL: no or an impossible reply
 * code, garbage bytes) or a size limit (ELIMIT: line length, reply lines, literal size), so
 * mailprobe hung up: the server did not close the connection.
 */
export interface MalformedReply {
  /** The command the reply answered; undefined: it was the greeting. */
  readonly command: string | undefined;
  readonly code: 'EPROTOCOL' | 'ELIMIT';
  /** The driver's classified message (`reply line count exceeded: 10001 > 10000`, …). */
  readonly message: string;
}

/** The STARTTLS/STLS step of a plaintext session. */
export interface StartTlsStep {
  /** The server said go ahead (220, OK, +OK). */
  readonly accepted: boolean;
  /** Its reply, one line. */
  readonly reply: string;
  /** Set when the handshake completed. */
  readonly tls: TlsFacts | undefined;
  /** The handshake (or the connection) failed after the go-ahead: the error message. */
  readonly error: string | undefined;
  /** Node/OpenSSL error code of a failed handshake (`ERR_SSL_…`). */
  readonly errorCode: string | undefined;
  /** Plaintext bytes that followed the go-ahead (discarded unread). */
  readonly trailingBytes: number;
  /** Capabilities read again inside TLS (RFC 3207 §4.2, RFC 3501 §6.2.1, RFC 2595 §4). */
  readonly capsAfter: Capabilities | undefined;
}

/** What the main conversation on a port showed. */
export interface SessionResult {
  readonly protocol: Protocol;
  /** The conversation began inside TLS (implicit TLS). */
  readonly implicitTls: boolean;
  /** The greeting as text (all lines of a multi-line SMTP greeting). */
  readonly greeting: string;
  readonly greetingStatus: GreetingStatus;
  /** The server hung up after its greeting, before we said anything. */
  readonly closedAfterGreeting: boolean;
  /** The first command that made the server hang up (EOF, reset) or stop answering. */
  readonly closedAfterCommand: { readonly command: string; readonly how: 'closed' | 'no-reply' } | undefined;
  /** A reply that broke the grammar or a size limit, after which mailprobe hung up. */
  readonly malformedReply: MalformedReply | undefined;
  /** A multi-line greeting did not finish within the deadline (postscreen, tarpit). */
  readonly greetingCut: boolean;
  /**
   * The greeting began like the protocol but a line of it is not the protocol's (EPROTOCOL: an
   * FTP-style `220-` banner, another text protocol): the driver's message. A greeting over a
   * size limit is `malformedReply` instead.
   */
  readonly greetingError: string | undefined;
  /** Capabilities as first read: before TLS on a plaintext session, inside TLS on implicit TLS. */
  readonly caps: Capabilities | undefined;
  readonly starttls: StartTlsStep | undefined;
  readonly transcript: readonly TranscriptEntry[];
}
