/**
 * Metric names for IMAP exchanges (STYLE.md §2.8: protocol first, snake_case): `imap.fetch`,
 * `imap.uid_fetch`, `imap.greeting`. Verbs outside the known set count as `imap.other`, so a
 * probe sending random words cannot blow up the number of histograms.
 */
const VERBS: ReadonlySet<string> = new Set([
  // RFC 9051 §6 / RFC 3501 §6
  'CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'AUTHENTICATE', 'LOGIN', 'ENABLE', 'SELECT', 'EXAMINE',
  'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'LIST', 'LSUB', 'NAMESPACE', 'STATUS',
  'APPEND', 'IDLE', 'CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'SEARCH', 'FETCH', 'STORE', 'COPY', 'MOVE',
  'UID FETCH', 'UID STORE', 'UID SEARCH', 'UID COPY', 'UID MOVE', 'UID EXPUNGE',
  // Common extensions: RFC 2971 ID, RFC 2087/9208 QUOTA, RFC 5464 METADATA, RFC 4731/5465
  'ID', 'GETQUOTA', 'GETQUOTAROOT', 'SETQUOTA', 'GETMETADATA', 'SETMETADATA', 'NOTIFY',
]);

/** `imap.<verb>` for a known (upper-cased) command name, `imap.other` otherwise. */
export function metricName(name: string): string {
  const verb = name.toUpperCase();
  return VERBS.has(verb) ? `imap.${verb.toLowerCase().replace(' ', '_')}` : 'imap.other';
}
