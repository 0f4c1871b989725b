/**
 * A second SMTP implementation to calibrate the built-in SMTP suite against: the `smtp-server`
 * package (Nodemailer's), on 127.0.0.1 port 0, configured the way the lab's Postfix is used:
 *
 * - `mx`: STARTTLS offered, AUTH optional (offered after TLS only), accepts mail for the local
 *   users of mail.test (and postmaster), refuses other local parts (550) and relaying (554);
 * - `submission`: STARTTLS offered, AUTH PLAIN/LOGIN required before MAIL (530);
 * - `submissions`: the same over implicit TLS.
 *
 * Certificates come from createLabPki (a private root per run), SIZE 1 MB, 8BITMIME, SMTPUTF8,
 * PIPELINING and ENHANCEDSTATUSCODES announced.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createLabPki, LAB_SERVERNAME } from './certs.js';

export type SmtpServerRole = 'mx' | 'submission' | 'submissions';

export const SMTP_SERVER_DOMAIN = 'mail.test';
const LOCAL_USERS = ['alice', 'bob', 'carol', 'postmaster'];
export const SMTP_SERVER_SIZE = 1_000_000;

export interface SmtpServerTarget {
  readonly role: SmtpServerRole;
  /** `smtp://`, `submission://` or `submissions://` URL of the listener. */
  readonly url: string;
  readonly tls: { readonly ca: string; readonly servername: string };
  readonly user: { readonly user: string; readonly password: string };
  readonly rcpt: string;
  /** The smtp-server version, for calibration notes. */
  readonly version: string;
  close(): Promise<void>;
}

const pki = createLabPki([LAB_SERVERNAME, '127.0.0.1']);

function version(): string {
  const req = createRequire(import.meta.url);
  return (req('smtp-server/package.json') as { version: string }).version;
}

export async function startSmtpServerTarget(role: SmtpServerRole): Promise<SmtpServerTarget> {
  const user = { user: `alice@${SMTP_SERVER_DOMAIN}`, password: 'calibration-Pw-1' };
  const options: SMTPServerOptions = {
    name: LAB_SERVERNAME,
    secure: role === 'submissions',
    key: pki.leaf.keyPem,
    cert: pki.chainPem,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: role === 'mx',
    size: SMTP_SERVER_SIZE,
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username === user.user && auth.password === user.password) return callback(null, { user: auth.username });
      const err = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
      return callback(err);
    },
    onRcptTo(address, session, callback) {
      const [local = '', domain = ''] = address.address.toLowerCase().split('@');
      if (domain !== SMTP_SERVER_DOMAIN && !(session.user && domain !== '')) {
        if (domain === '' && local === 'postmaster') return callback();
        return callback(Object.assign(new Error('Relay access denied'), { responseCode: 554 }));
      }
      if (domain === SMTP_SERVER_DOMAIN && !LOCAL_USERS.includes(local)) {
        return callback(Object.assign(new Error('User unknown'), { responseCode: 550 }));
      }
      return callback();
    },
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const scheme = role === 'mx' ? 'smtp' : role;
  return {
    role,
    url: `${scheme}://127.0.0.1:${port}`,
    tls: { ca: pki.root.certPem, servername: LAB_SERVERNAME },
    user,
    rcpt: `bob@${SMTP_SERVER_DOMAIN}`,
    version: version(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
