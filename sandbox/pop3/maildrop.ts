/**
 * The POP3 view of a maildrop (RFC 1939 §5): INBOX as it was at login, numbered 1..n, with the
 * deletion marks of the session, and the multi-line encoding of message data (§3).
 */
import type { Account } from '../store/account.js';
import type { Message } from '../store/message.js';

export class Maildrop {
  readonly account: Account;
  readonly messages: readonly Message[];
  readonly deleted = new Set<Message>();

  constructor(account: Account) {
    this.account = account;
    this.messages = [...account.inbox.messages];
  }

  /** The message a number names, unless it is out of range or marked deleted. */
  get(n: number): Message | undefined {
    const m = this.messages[n - 1];
    return m && !this.deleted.has(m) ? m : undefined;
  }

  /** Numbered messages not marked deleted. */
  live(): [number, Message][] {
    const out: [number, Message][] = [];
    this.messages.forEach((m, i) => {
      if (!this.deleted.has(m)) out.push([i + 1, m]);
    });
    return out;
  }

  /** §5 STAT: count and octets of the messages not marked deleted. */
  stat(): { count: number; octets: number } {
    let octets = 0;
    const live = this.live();
    for (const [, m] of live) octets += size(m);
    return { count: live.length, octets };
  }

  /** §6 UPDATE: remove the marked messages that are still in INBOX. */
  commit(): number {
    const inbox = this.account.inbox;
    const still = [...this.deleted].filter((m) => inbox.byUid(m.uid) === m);
    this.account.expunge(inbox, still);
    return still.length;
  }
}

/** The size LIST and STAT report: octets as RETR sends them, before byte-stuffing (§11). */
export function size(m: Message): number {
  return m.pop3Bytes.length;
}

/**
 * A unique-id (§7 UIDL): 1 to 70 characters 0x21-0x7E, never reused for another message of
 * the maildrop; the mailbox's UIDVALIDITY and the UID together are.
 */
export function uniqueId(account: Account, m: Message): string {
  return `${account.inbox.uidValidity}.${m.uid}`;
}

/**
 * §3 multi-line data: every line starting with "." gets one more; the data ends with CRLF (added
 * when the message lacks a final line end) and the terminating ".\r\n".
 */
export function multiline(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  if (data[0] === 0x2e) parts.push(Buffer.from('.'));
  for (let i = data.indexOf(0x0a); i !== -1 && i + 1 < data.length; i = data.indexOf(0x0a, i + 1)) {
    if (data[i + 1] === 0x2e) {
      parts.push(data.subarray(from, i + 1), Buffer.from('.'));
      from = i + 1;
    }
  }
  parts.push(data.subarray(from));
  const last = data[data.length - 1];
  if (data.length > 0 && last !== 0x0a) parts.push(Buffer.from('\r\n'));
  parts.push(Buffer.from('.\r\n'));
  return Buffer.concat(parts);
}

/** §7 TOP: the header, the empty line, and at most `lines` lines of the body. */
export function top(m: Message, lines: number): Buffer {
  const bytes = m.pop3Bytes;
  const bodyStart = m.header.bodyStart;
  // The header of pop3Bytes ends where the stored one does, adjusted for added CRs.
  const start = bytes === m.bytes ? bodyStart : Buffer.from(m.bytes.toString('latin1', 0, bodyStart).replace(/\r?\n/g, '\r\n'), 'latin1').length;
  let end = start;
  for (let n = 0; n < lines && end < bytes.length; n++) {
    const lf = bytes.indexOf(0x0a, end);
    end = lf === -1 ? bytes.length : lf + 1;
  }
  return bytes.subarray(0, end);
}
