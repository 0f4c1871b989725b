import { isIP } from 'node:net';
import { MailprobeError } from './errors.js';

/** curl's scheme names plus the RFC 6409/8314 service names. */
export type Scheme = 'smtp' | 'smtps' | 'submission' | 'submissions' | 'imap' | 'imaps' | 'pop3' | 'pop3s';
export type Protocol = 'smtp' | 'imap' | 'pop3';
/** What the user says the port is for: MX relay, message submission, or mailbox access. */
export type PortRole = 'mx' | 'submission' | 'mailbox';

interface SchemeInfo {
  protocol: Protocol;
  defaultPort: number;
  implicitTls: boolean;
  role: PortRole;
}

export const SCHEMES: Readonly<Record<Scheme, SchemeInfo>> = {
  smtp: { protocol: 'smtp', defaultPort: 25, implicitTls: false, role: 'mx' },
  // RFC 8314 §3.3: 465 is implicit-TLS submission; smtps and submissions name the same service.
  smtps: { protocol: 'smtp', defaultPort: 465, implicitTls: true, role: 'submission' },
  submission: { protocol: 'smtp', defaultPort: 587, implicitTls: false, role: 'submission' },
  submissions: { protocol: 'smtp', defaultPort: 465, implicitTls: true, role: 'submission' },
  imap: { protocol: 'imap', defaultPort: 143, implicitTls: false, role: 'mailbox' },
  imaps: { protocol: 'imap', defaultPort: 993, implicitTls: true, role: 'mailbox' },
  pop3: { protocol: 'pop3', defaultPort: 110, implicitTls: false, role: 'mailbox' },
  pop3s: { protocol: 'pop3', defaultPort: 995, implicitTls: true, role: 'mailbox' },
};

export interface Target {
  /** Normalised URL: lower-case scheme and host, explicit port, IPv6 in brackets. */
  readonly url: string;
  readonly scheme: Scheme;
  readonly protocol: Protocol;
  /** Host name or IP address, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly role: PortRole;
  /** User name from `scheme://user@host`, if given. Passwords are refused in URLs. */
  readonly user: string | undefined;
}

export function isScheme(value: string): value is Scheme {
  return Object.hasOwn(SCHEMES, value);
}

/**
 * Parse a target URL (`smtp://host[:port]`, `imaps://[::1]:993`, …). Throws ECONFIG with a
 * message that names what is wrong.
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  // Messages quote the input: never with a password in it.
  const shown = redactUserinfo(text);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (!m) {
    throw new MailprobeError('ECONFIG', `target "${shown}" is not a URL; expected e.g. smtp://mail.example.org:25`);
  }
  const scheme = m[1]!.toLowerCase();
  if (!isScheme(scheme)) {
    throw new MailprobeError(
      'ECONFIG',
      `unknown scheme "${scheme}" in "${shown}"; use one of ${Object.keys(SCHEMES).join(', ')}`,
    );
  }
  let rest = m[2]!;
  const slash = rest.search(/[/?#]/);
  if (slash !== -1) {
    const tail = rest.slice(slash);
    if (tail !== '/' && tail !== '') {
      throw new MailprobeError('ECONFIG', `target "${shown}" has a path or query; only scheme://[user@]host[:port] is accepted`);
    }
    rest = rest.slice(0, slash);
  }
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (userinfo.includes(':')) {
      throw new MailprobeError(
        'ECONFIG',
        `target "${shown}" carries a password; pass it via MAILPROBE_PASSWORD or --password-env instead`,
      );
    }
    try {
      user = decodeURIComponent(userinfo);
    } catch {
      throw new MailprobeError('ECONFIG', `target "${shown}": the user name has an invalid %-escape`);
    }
    if (user === '') throw new MailprobeError('ECONFIG', `target "${shown}" has an empty user name`);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw new MailprobeError('ECONFIG', `target "${shown}" has an unclosed IPv6 bracket`);
    host = rest.slice(1, close).toLowerCase().replace(/%25/g, '%');
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new MailprobeError('ECONFIG', `target "${shown}": unexpected "${after}" after the IPv6 address`);
      portText = after.slice(1);
    }
    if (isIP(host) !== 6) throw new MailprobeError('ECONFIG', `target "${shown}": "${host}" is not an IPv6 address`);
  } else {
    const colon = rest.indexOf(':');
    if (colon !== -1) {
      if (rest.indexOf(':', colon + 1) !== -1) {
        throw new MailprobeError('ECONFIG', `target "${shown}": write IPv6 addresses in brackets, e.g. smtp://[::1]:25`);
      }
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    } else {
      host = rest;
    }
    host = host.toLowerCase();
    if (host.endsWith('.')) host = host.slice(0, -1);
    if (!isValidHostName(host) && isIP(host) === 0) {
      throw new MailprobeError('ECONFIG', `target "${shown}": "${host}" is not a valid host name or address`);
    }
  }
  const info = SCHEMES[scheme];
  let port = info.defaultPort;
  if (portText !== undefined) port = parsePort(portText, shown);
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  const userPart = user === undefined ? '' : `${encodeURIComponent(user)}@`;
  return {
    url: `${scheme}://${userPart}${hostPart}:${port}`,
    scheme,
    protocol: info.protocol,
    host,
    port,
    implicitTls: info.implicitTls,
    role: info.role,
    user,
  };
}

/** Parse a TCP port number: an integer 1..65535. */
export function parsePort(text: string, where: string = text): number {
  if (!/^\d{1,5}$/.test(text)) {
    throw new MailprobeError('ECONFIG', `port "${text}" in "${where}" is not a number from 1 to 65535`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new MailprobeError('ECONFIG', `port ${port} in "${where}" is out of range (1 to 65535)`);
  }
  return port;
}

/** Letters, digits, hyphens and underscores in dot-separated labels of ≤ 63 chars (RFC 1123). */
export function isValidHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
}

/** `scheme://user:secret@host` → `scheme://***@host`; everything up to the LAST `@` is userinfo. */
function redactUserinfo(input: string): string {
  const m = /^([^:]*:\/\/)(.*)$/s.exec(input);
  if (!m) return input.includes('@') ? `***@${input.slice(input.lastIndexOf('@') + 1)}` : input;
  const rest = m[2]!;
  const at = rest.lastIndexOf('@');
  if (at === -1) return input;
  const userinfo = rest.slice(0, at);
  return userinfo.includes(':') ? `${m[1]}***@${rest.slice(at + 1)}` : input;
}
