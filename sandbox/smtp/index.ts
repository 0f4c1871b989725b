/**
 * The SMTP front end: smtp-server normally; the naive server for the two faults smtp-server
 * (rightly) refuses to reproduce.
 */
import type { SecureContextOptions } from 'node:tls';
import type { FrontEndContext } from '../context.js';
import type { ProtocolLines } from '../net/listener.js';
import { NaiveSmtpSession } from './naive/session.js';
import type { SmtpRole } from './policy.js';
import { smtpServerFrontEnd, type SmtpFrontEnd } from './server.js';

export function smtpFrontEnd(ctx: FrontEndContext, role: SmtpRole, tls: SecureContextOptions): SmtpFrontEnd {
  if (ctx.faults.bareLfEndOfData || ctx.faults.starttlsInjection) {
    return {
      handle: (socket, secure) => {
        new NaiveSmtpSession(socket, secure, ctx, role);
      },
      close: () => Promise.resolve(),
    };
  }
  return smtpServerFrontEnd(ctx, role, tls);
}

export function smtpLines(servername: string): ProtocolLines {
  return {
    greeting: `220 ${servername} ESMTP mailprobe sandbox`,
    unavailable: `421 4.3.2 ${servername} Service not available, closing transmission channel`,
    busy: `421 4.7.0 ${servername} Too many connections, try again later`,
    // A multi-line 220 whose last line the front end sends (RFC 5321 §4.2.1).
    greetingStart: `220-${servername} ESMTP greeting delayed\r\n`,
  };
}

export type { SmtpFrontEnd } from './server.js';
export type { SmtpRole } from './policy.js';
