/**
 * Who may send to whom, for both SMTP front ends. The sandbox never relays: it has no code that
 * opens an outbound connection. Unauthenticated clients may only reach local mailboxes (MX
 * role); logged-in users may address anyone, and mail for outside addresses is accepted and
 * discarded, as a submission server would accept it for relaying.
 */
import type { Account } from '../store/account.js';
import type { Store } from '../store/store.js';

/** mx: the port other servers deliver to (no AUTH); submission: users' port (RFC 6409). */
export type SmtpRole = 'mx' | 'submission';

export type SmtpRefusal = { readonly code: number; readonly enhanced: string; readonly text: string };

export type RcptDecision =
  | { readonly kind: 'deliver'; readonly account: Account }
  | { readonly kind: 'discard' }
  | { readonly kind: 'refuse'; readonly refusal: SmtpRefusal };

/** RFC 6409 §4.3 / RFC 4954 §6: submission needs a login before MAIL. */
export function checkSender(role: SmtpRole, authenticated: boolean): SmtpRefusal | undefined {
  if (role === 'submission' && !authenticated) return { code: 530, enhanced: '5.7.0', text: 'Authentication required' };
  return undefined;
}

/**
 * RFC 6531 §3.2, §3.5: a non-ASCII address needs SMTPUTF8 on MAIL; without it, 553 5.6.7 (RFC
 * 5321 envelopes are US-ASCII otherwise).
 */
export function checkAddressCharset(address: string, smtpUtf8: boolean): SmtpRefusal | undefined {
  if (smtpUtf8 || !/[^\x00-\x7f]/.test(address)) return undefined;
  return { code: 553, enhanced: '5.6.7', text: 'Non-ASCII address without SMTPUTF8' };
}

export function decideRecipient(store: Store, authenticated: boolean, rawAddress: string): RcptDecision {
  const address = rawAddress.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  // RFC 5321 §4.5.1: postmaster, with or without the domain and in any case, must be accepted;
  // it goes to the first account.
  if (local === 'postmaster' && (at === -1 || store.isLocalDomain(address))) {
    const first = store.accounts[0];
    if (first) return { kind: 'deliver', account: first };
  }
  if (at !== -1 && store.isLocalDomain(address)) {
    const account = store.account(address);
    if (account) return { kind: 'deliver', account };
    return { kind: 'refuse', refusal: { code: 550, enhanced: '5.1.1', text: `<${rawAddress}>: no such user here` } };
  }
  if (authenticated) return { kind: 'discard' };
  return { kind: 'refuse', refusal: { code: 550, enhanced: '5.7.1', text: `<${rawAddress}>: relay access denied` } };
}
