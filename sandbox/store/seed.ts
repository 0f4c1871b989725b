/**
 * What a new sandbox account holds: a welcome message that doubles as the POP3 checks' fixture
 * (lines starting with ".", several body lines, a Message-ID of its own: `<mailprobe-fixture-…>`)
 * and a few `<mailprobe-deletable-…>` messages the UPDATE-state check may delete (suites/pop3/
 * checks/util.ts conventions), so `mailprobe check` has material on a fresh sandbox.
 */
import { randomBytes } from 'node:crypto';
import type { Account } from './account.js';

/** Deletable messages per account: enough for the POP3 suite on both POP3 ports, twice. */
export const DELETABLE_SEEDS = 4;

function message(id: string, to: string, domain: string, subject: string, body: string): Buffer {
  return Buffer.from(
    `From: mailprobe sandbox <postmaster@${domain}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
    'utf8',
  );
}

export function seedAccount(account: Account, domain: string, now = new Date()): void {
  const tag = randomBytes(4).toString('hex');
  const welcome =
    'Welcome to the mailprobe sandbox.\r\n' +
    '.This line starts with a dot (POP3 and SMTP byte-stuff it).\r\n' +
    '..and this one with two.\r\n' +
    '.\r\n' +
    'Everything here lives in memory and is gone when the sandbox stops.\r\n' +
    'Nothing is ever relayed to the outside world.\r\n';
  account.append(account.inbox, message(`<mailprobe-fixture-${tag}@${domain}>`, account.address, domain, 'Welcome to the mailprobe sandbox', welcome), ['\\Seen'], now);
  for (let i = 0; i < DELETABLE_SEEDS; i++) {
    const id = `<mailprobe-deletable-${tag}-${i}@${domain}>`;
    account.append(account.inbox, message(id, account.address, domain, `Deletable sample ${i + 1}`, 'A message that conformance checks may delete.\r\n'), [], now);
  }
}
