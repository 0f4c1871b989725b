/**
 * Every metric name a bench scenario records, in one light module: the registry validates
 * thresholds against them without loading any driver, and the scenarios take their names
 * from here.
 */
import type { ImapOp } from './config.js';

/** Recorded by the engine for every scenario. */
export const ENGINE_METRICS = ['iteration', 'iteration.service', 'session'] as const;

export const SMTP_SETUP_METRICS = ['smtp.dns', 'smtp.connect', 'smtp.tls', 'smtp.greeting', 'smtp.ehlo', 'smtp.starttls', 'smtp.auth', 'smtp.quit'] as const;
/** MAIL, RCPT, DATA (to its 354) and the message body (to the final reply). */
export const SMTP_TRANSACTION_METRICS = ['smtp.mail', 'smtp.rcpt', 'smtp.data_cmd', 'smtp.data'] as const;
export const E2E_METRIC = 'e2e.delivery';

export const IMAP_SETUP_METRICS = ['imap.dns', 'imap.connect', 'imap.tls', 'imap.greeting', 'imap.capability', 'imap.starttls', 'imap.login', 'imap.select', 'imap.logout'] as const;

/** The metrics of each op of the IMAP mix. */
export const IMAP_MIX_METRICS: Readonly<Record<ImapOp, readonly string[]>> = {
  fetch: ['imap.fetch'],
  'fetch-body': ['imap.fetch_body'],
  search: ['imap.search'],
  store: ['imap.store'],
  append: ['imap.append'],
  expunge: ['imap.store', 'imap.expunge'],
  idle: ['imap.idle'],
  noop: ['imap.noop'],
  status: ['imap.status'],
  list: ['imap.list'],
};

export const DEFAULT_MIX: readonly ImapOp[] = ['fetch', 'fetch-body', 'search', 'noop'];

export const POP3_METRICS = [
  'pop3.dns', 'pop3.connect', 'pop3.tls', 'pop3.greeting', 'pop3.capa', 'pop3.stls', 'pop3.user', 'pop3.pass',
  'pop3.stat', 'pop3.list', 'pop3.uidl', 'pop3.retr', 'pop3.quit',
] as const;

export function imapMetrics(mix: readonly ImapOp[]): string[] {
  return [...IMAP_SETUP_METRICS, ...new Set(mix.flatMap((op) => IMAP_MIX_METRICS[op]))];
}
