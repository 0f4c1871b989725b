/**
 * SMTP TLS Reporting (RFC 8460 §3): the `_smtp._tls.DOMAIN` TXT record that tells senders where
 * to send their daily reports of TLS failures — the only way a domain learns that MTA-STS or
 * DANE made a sender give up. Pure functions.
 */
import { splitFields } from './mta-sts-policy.js';

export interface TlsRptRecord {
  /** Report destinations: `mailto:` addresses and `https:` URLs. */
  readonly rua: readonly string[];
}

export type TlsRptVerdict =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly reason: string; readonly records: readonly string[] }
  | { readonly kind: 'ok'; readonly record: TlsRptRecord; readonly text: string };

const VERSION_PREFIX = /^v=TLSRPTv1[ \t]*(;|$)/;
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/** The TXT records at `_smtp._tls` (each joined from its character-strings), as a sender reads them. */
export function judgeTlsRptRecords(texts: readonly string[]): TlsRptVerdict {
  const candidates = texts.filter((t) => VERSION_PREFIX.test(t));
  if (candidates.length === 0) {
    if (texts.length === 0) return { kind: 'missing' };
    return { kind: 'invalid', reason: `no TXT record at _smtp._tls begins with "v=TLSRPTv1;"`, records: texts };
  }
  if (candidates.length > 1) {
    return { kind: 'invalid', reason: `${candidates.length} records begin with "v=TLSRPTv1": RFC 8460 §3 requires exactly one, so senders send no reports`, records: candidates };
  }
  const text = candidates[0]!;
  const parsed = parseTlsRptRecord(text);
  return typeof parsed === 'string' ? { kind: 'invalid', reason: parsed, records: [text] } : { kind: 'ok', record: parsed, text };
}

/** One record, or why it is malformed (RFC 8460 §3 ABNF). */
export function parseTlsRptRecord(text: string): TlsRptRecord | string {
  const fields = splitFields(text, ';');
  if (fields.at(-1) === '') fields.pop();
  if (fields[0] !== 'v=TLSRPTv1') return `the record must begin with "v=TLSRPTv1" (got "${fields[0] ?? ''}")`;
  let rua: string[] | undefined;
  for (const field of fields.slice(1)) {
    const eq = field.indexOf('=');
    const name = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (name === 'rua') {
      if (rua !== undefined) return 'the record has more than one rua field';
      if (value === undefined || value.trim() === '') return 'rua is empty';
      rua = splitFields(value, ',');
      for (const uri of rua) {
        const problem = uriProblem(uri);
        if (problem) return problem;
      }
    } else if (!EXT_NAME.test(name) || value === undefined || !EXT_VALUE.test(value)) {
      return `"${field}" is not a field (name=value without spaces, ";" or "=")`;
    }
  }
  if (rua === undefined) return 'the record has no rua field (rua=mailto:tlsrpt@example.org)';
  return { rua };
}

function uriProblem(uri: string): string | undefined {
  const lower = uri.toLowerCase();
  if (lower.startsWith('mailto:')) {
    const address = decodeSafely(uri.slice('mailto:'.length).split('?')[0] ?? '');
    if (!/^[^@\s,;<>]+@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(address)) return `rua "${uri}" is not mailto: followed by an address`;
    return undefined;
  }
  if (lower.startsWith('https:')) {
    try {
      const url = new URL(uri);
      if (url.hostname === '') return `rua "${uri}" has no host`;
      return undefined;
    } catch {
      return `rua "${uri}" is not a URL`;
    }
  }
  return `rua "${uri}" is neither mailto: nor https: (RFC 8460 §3)`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
