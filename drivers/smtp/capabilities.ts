import type { SmtpReply } from './reply.js';

/**
 * What an EHLO (or LHLO) reply announced (RFC 5321 §4.1.1.1): the server's domain from the
 * first line and each ehlo-line's keyword with its parameters. Keywords are case-insensitive
 * and stored upper-case; parameters keep their case.
 */
export interface SmtpCapabilities {
  readonly domain: string;
  /** The rest of the first line after the domain (the greeting text). */
  readonly greeting: string;
  readonly keywords: ReadonlyMap<string, readonly string[]>;
}

export function parseEhlo(reply: SmtpReply): SmtpCapabilities {
  const first = reply.lines[0] ?? '';
  const space = first.indexOf(' ');
  const domain = space === -1 ? first : first.slice(0, space);
  const greeting = space === -1 ? '' : first.slice(space + 1);
  const keywords = new Map<string, string[]>();
  for (const line of reply.lines.slice(1)) {
    const parts = line.trim().split(/\s+/).filter((p) => p.length > 0);
    const head = parts[0];
    if (head === undefined) continue;
    // Pre-RFC 2554 servers announce `AUTH=LOGIN PLAIN`; treat it as AUTH.
    const eq = head.indexOf('=');
    if (eq > 0 && head.slice(0, eq).toUpperCase() === 'AUTH') {
      const merged = keywords.get('AUTH') ?? [];
      for (const m of [head.slice(eq + 1), ...parts.slice(1)]) if (m && !merged.includes(m.toUpperCase())) merged.push(m.toUpperCase());
      keywords.set('AUTH', merged);
      continue;
    }
    const key = head.toUpperCase();
    const params = key === 'AUTH' ? parts.slice(1).map((p) => p.toUpperCase()) : parts.slice(1);
    if (key === 'AUTH' && keywords.has('AUTH')) {
      const merged = keywords.get('AUTH')!;
      for (const p of params) if (!merged.includes(p)) merged.push(p);
    } else {
      keywords.set(key, params);
    }
  }
  return { domain, greeting, keywords };
}

export function hasCapability(caps: SmtpCapabilities | undefined, keyword: string): boolean {
  return caps?.keywords.has(keyword.toUpperCase()) ?? false;
}

/** SASL mechanisms offered by AUTH (RFC 4954 §3), upper-case. */
export function authMechanisms(caps: SmtpCapabilities | undefined): readonly string[] {
  return caps?.keywords.get('AUTH') ?? [];
}

/** The SIZE limit in octets (RFC 1870 §4): a number, 0 for "no fixed limit", undefined if absent. */
export function sizeLimit(caps: SmtpCapabilities | undefined): number | undefined {
  const params = caps?.keywords.get('SIZE');
  if (params === undefined) return undefined;
  const n = Number(params[0] ?? '0');
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
