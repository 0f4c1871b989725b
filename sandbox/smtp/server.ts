/**
 * The SMTP front end on the smtp-server package. The listener hands it each accepted (and for
 * implicit TLS, already secured) socket through SMTPServer.connect(); one SMTPServer instance per
 * role and security state carries the options. smtp-server ships a default certificate that has
 * expired: ours is always passed.
 */
import type { SecureContextOptions } from 'node:tls';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { FrontEndContext } from '../context.js';
import type { ConnectionHandler } from '../net/listener.js';
import { deliver } from './deliver.js';
import { checkAddressCharset, checkSender, decideRecipient, type SmtpRefusal, type SmtpRole } from './policy.js';

export interface SmtpFrontEnd {
  readonly handle: ConnectionHandler;
  close(): Promise<void>;
}

/** RFC 5321 §4.5.3.2.7: a server waits at least 5 minutes for the next command. */
const SMTP_IDLE_MS = 5 * 60_000;

function smtpError(r: SmtpRefusal): Error & { responseCode: number } {
  return Object.assign(new Error(r.text), { responseCode: r.code });
}

/** Commands off for this session: AUTH on MX and before TLS (unless a fault allows it), STARTTLS by fault. */
function disabledFor(ctx: FrontEndContext, role: SmtpRole, secure: boolean): string[] {
  const off: string[] = [];
  // RFC 4954 §4 / RFC 8314: no AUTH in cleartext; RFC 5321: an MX port takes mail without AUTH.
  if (role === 'mx' || (!secure && !ctx.faults.plaintextAuth)) off.push('AUTH');
  if (!ctx.faults.starttls) off.push('STARTTLS');
  return off;
}

export function smtpServerFrontEnd(ctx: FrontEndContext, role: SmtpRole, tls: SecureContextOptions): SmtpFrontEnd {
  const servers = new Map<boolean, SMTPServer>();
  const serverFor = (secure: boolean): SMTPServer => {
    let server = servers.get(secure);
    if (!server) {
      server = new SMTPServer(options(ctx, role, tls, secure));
      server.on('error', () => undefined);
      servers.set(secure, server);
    }
    return server;
  };
  return {
    handle: (socket, secure) => serverFor(secure).connect(socket, {}),
    close: () => Promise.all([...servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}

function options(ctx: FrontEndContext, role: SmtpRole, tls: SecureContextOptions, secure: boolean): SMTPServerOptions {
  const { store, limits } = ctx;
  return {
    ...tls,
    secure,
    needsUpgrade: false,
    name: ctx.servername,
    banner: 'mailprobe sandbox',
    logger: false,
    disableReverseLookup: true,
    size: limits.maxMessageBytes,
    rejectOversized: true,
    maxRecipients: limits.maxRecipients,
    maxClients: limits.maxConnectionsPerPort,
    socketTimeout: Math.min(limits.idleMs, SMTP_IDLE_MS),
    closeTimeout: 1000,
    authMethods: ['PLAIN', 'LOGIN'],
    // Login is enforced by onMailFrom (policy.ts), so MX and submission share one rule.
    authOptional: true,
    allowInsecureAuth: ctx.faults.plaintextAuth,
    disabledCommands: disabledFor(ctx, role, secure),
    hidePIPELINING: false,
    hide8BITMIME: false,
    hideSMTPUTF8: false,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: true,
    hideREQUIRETLS: true,
    onConnect(session: SMTPServerSession, callback) {
      session.disabledCommands = disabledFor(ctx, role, secure);
      callback();
    },
    onSecure(_socket, session: SMTPServerSession, callback) {
      session.disabledCommands = disabledFor(ctx, role, true);
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') return callback(new Error('Unsupported mechanism'));
      const proxy = auth.method === 'PLAIN' && auth.authzid && auth.authzid.toLowerCase() !== (auth.username ?? '').toLowerCase();
      const account = proxy ? undefined : store.authenticate(auth.username ?? '', auth.password ?? '');
      if (!account) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: account.address });
    },
    onMailFrom(address, session, callback) {
      const utf8 = address.args !== false && address.args.SMTPUTF8 === true;
      const refusal = checkAddressCharset(address.address, utf8) ?? checkSender(role, Boolean(session.user));
      callback(refusal ? smtpError(refusal) : null);
    },
    onRcptTo(address, session, callback) {
      const charset = checkAddressCharset(address.address, session.envelope.smtpUtf8 === true);
      if (charset) return callback(smtpError(charset));
      const decision = decideRecipient(store, Boolean(session.user), address.address);
      callback(decision.kind === 'refuse' ? smtpError(decision.refusal) : null);
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= limits.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > limits.maxMessageBytes) {
          return callback(smtpError({ code: 552, enhanced: '5.3.4', text: 'Message exceeds the maximum size' }));
        }
        const accounts = [];
        const local: string[] = [];
        for (const rcpt of session.envelope.rcptTo) {
          const d = decideRecipient(store, Boolean(session.user), rcpt.address);
          if (d.kind === 'deliver') {
            accounts.push(d.account);
            local.push(rcpt.address);
          } else if (d.kind === 'discard') store.stats.discarded++;
        }
        const from = session.envelope.mailFrom;
        const result = deliver(store, accounts, Buffer.concat(chunks), {
          servername: ctx.servername,
          helo: session.hostNameAppearsAs || 'unknown',
          remoteAddress: session.remoteAddress,
          protocol: session.transmissionType || 'ESMTP',
          tls: session.tlsOptions ? `${session.tlsOptions.version} ${session.tlsOptions.name}` : undefined,
          reversePath: from ? from.address : '',
        }, local);
        if ('code' in result) return callback(smtpError(result));
        callback(null, `Ok: queued as ${result.id}`);
      });
    },
  };
}
