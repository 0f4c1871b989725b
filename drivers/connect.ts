import { MailprobeError } from './errors.js';
import { ImapClient } from './imap/client.js';
import type { ImapConnectOptions } from './imap/connection.js';
import { Pop3Client, type Pop3ConnectOptions } from './pop3/client.js';
import { SmtpClient, type SmtpConnectOptions } from './smtp/client.js';
import { parseTarget, type Protocol, type Target } from './target.js';

/** Connection options when the target URL gives host, port and TLS mode. */
export type TargetOptions<T> = Omit<T, 'host' | 'port' | 'implicitTls'>;

/** Parse (if needed) and check that the target speaks the expected protocol. */
export function resolveTarget(target: string | Target, protocol: Protocol): Target {
  const t = typeof target === 'string' ? parseTarget(target) : target;
  if (t.protocol !== protocol) {
    throw new MailprobeError('ECONFIG', `${t.url} is a ${t.protocol.toUpperCase()} target, not ${protocol.toUpperCase()}`);
  }
  return t;
}

/**
 * Connect to an SMTP target (`smtp://`, `submission://`, `smtps://`, `submissions://`) and read
 * the greeting. Implicit TLS follows from the scheme.
 */
export function connectSmtp(target: string | Target, options: TargetOptions<SmtpConnectOptions> = {}): Promise<SmtpClient> {
  const t = resolveTarget(target, 'smtp');
  return SmtpClient.connect({ ...options, host: t.host, port: t.port, implicitTls: t.implicitTls });
}

/** Connect to an IMAP target (`imap://`, `imaps://`) and read the greeting. */
export function connectImap(target: string | Target, options: TargetOptions<ImapConnectOptions> = {}): Promise<ImapClient> {
  const t = resolveTarget(target, 'imap');
  return ImapClient.connect({ ...options, host: t.host, port: t.port, implicitTls: t.implicitTls });
}

/** Connect to a POP3 target (`pop3://`, `pop3s://`) and read the greeting. */
export function connectPop3(target: string | Target, options: TargetOptions<Pop3ConnectOptions> = {}): Promise<Pop3Client> {
  const t = resolveTarget(target, 'pop3');
  return Pop3Client.connect({ ...options, host: t.host, port: t.port, implicitTls: t.implicitTls });
}
