/**
 * Final delivery into the store with the trace fields RFC 5321 §4.4 requires: a Return-Path
 * with the reverse-path and a Received line. The message itself is stored unchanged after them.
 */
import { randomBytes } from 'node:crypto';
import type { Account } from '../store/account.js';
import type { Store } from '../store/store.js';
import type { SmtpRefusal } from './policy.js';

export interface TraceInfo {
  readonly servername: string;
  /** What the client said in EHLO/HELO. */
  readonly helo: string;
  readonly remoteAddress: string;
  /** RFC 3848: ESMTP, ESMTPS (TLS), ESMTPSA (TLS and AUTH), ESMTPA. */
  readonly protocol: string;
  readonly tls: string | undefined;
  readonly reversePath: string;
}

/** RFC 5322 §3.3 date-time in UTC: `Wed, 26 Nov 2025 10:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** `Return-Path:` and `Received:` for one message (§4.4), CRLF-terminated. */
export function traceHeaders(info: TraceInfo, recipients: readonly string[], id: string, date: Date): string {
  const helo = info.helo.replace(/[^\x21-\x7e]/g, '?').slice(0, 255);
  const remote = info.remoteAddress.replace(/^::ffff:/, '');
  const tls = info.tls ? `\r\n\t(${info.tls})` : '';
  const forClause = recipients.length === 1 ? `\r\n\tfor <${recipients[0]}>` : '';
  return (
    `Return-Path: <${info.reversePath}>\r\n` +
    `Received: from ${helo} ([${remote}])\r\n\tby ${info.servername} (mailprobe sandbox) with ${info.protocol} id ${id}${tls}${forClause};\r\n\t${rfc5322Date(date)}\r\n`
  );
}

export function queueId(): string {
  return randomBytes(6).toString('hex').toUpperCase();
}

/**
 * Store `data` (the message as received, dot-unstuffed) in each account's INBOX. Quota comes
 * first: with the reject policy, a recipient that cannot take it refuses the whole message
 * (452 4.2.2, RFC 3463), so no recipient gets a partial delivery.
 */
export function deliver(store: Store, accounts: readonly Account[], data: Buffer, info: TraceInfo, addresses: readonly string[]): { id: string } | SmtpRefusal {
  const id = queueId();
  if (accounts.length === 0) return { id };
  const now = new Date();
  const message = Buffer.concat([Buffer.from(traceHeaders(info, addresses, id, now), 'utf8'), data]);
  if (store.quotaPolicy === 'reject' && accounts.some((a) => !a.fits(message.length))) {
    return { code: 452, enhanced: '4.2.2', text: 'Mailbox full, try again later' };
  }
  for (const account of new Set(accounts)) {
    const result = store.deliver(account, message, now);
    if (!result.ok) {
      if (result.code === 'TOOBIG') return { code: 552, enhanced: '5.3.4', text: 'Message too large' };
      return { code: 452, enhanced: '4.2.2', text: `Mailbox of ${account.address} is full` };
    }
  }
  return { id };
}
