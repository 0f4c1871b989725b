/**
 * What to probe: `HOST` with the well-known mail ports (or `--ports`), or URLs whose scheme
 * states the port's role (`submission://host:2587`). Every problem is an ECONFIG naming it.
 */
import { isIP } from 'node:net';
import { MailprobeError } from '../../drivers/errors.js';
import { isScheme, isValidHostName, parsePort, parseTarget, type Scheme } from '../../drivers/target.js';
import type { Endpoint } from './types.js';

/** The ports a bare HOST gets: SMTP relay, submissions, submission, IMAP(S), POP3(S). */
export const DEFAULT_PORTS: readonly number[] = [25, 465, 587, 143, 993, 110, 995];

/**
 * What each well-known port is for. RFC 8314 §7.3: 465 is implicit-TLS submission ("smtps" as
 * curl and DESIGN.md name it), 993 and 995 implicit-TLS IMAP and POP3; RFC 6409: 587 submission
 * with STARTTLS; 25, 143 and 110 plaintext with STARTTLS/STLS (RFC 3207, RFC 2595).
 */
export const WELL_KNOWN_PORTS: Readonly<Record<number, Scheme>> = {
  25: 'smtp',
  465: 'smtps',
  587: 'submission',
  143: 'imap',
  993: 'imaps',
  110: 'pop3',
  995: 'pop3s',
};

export interface PortSpec {
  readonly port: number;
  /** `2587=submission` names the role of a non-standard port. */
  readonly expected: Scheme | undefined;
}

/** `25,465,2587=submission` → specs; a port without a role gets the well-known one, if any. */
export function parsePortList(items: readonly string[]): PortSpec[] {
  const out: PortSpec[] = [];
  for (const item of items.flatMap((i) => i.split(',')).map((i) => i.trim())) {
    const [portText, role, extra] = item.split('=');
    if (portText === undefined || extra !== undefined) throw new MailprobeError('ECONFIG', `--ports "${item}" is not PORT or PORT=SCHEME`);
    const port = parsePort(portText.trim(), `--ports ${item}`);
    let expected: Scheme | undefined = WELL_KNOWN_PORTS[port];
    if (role !== undefined) {
      const scheme = role.trim().toLowerCase();
      if (!isScheme(scheme)) {
        throw new MailprobeError('ECONFIG', `--ports "${item}": "${role}" is not one of smtp, submission, smtps, submissions, imap, imaps, pop3, pop3s`);
      }
      expected = scheme;
    }
    if (!out.some((s) => s.port === port)) out.push({ port, expected });
  }
  if (out.length === 0) throw new MailprobeError('ECONFIG', '--ports needs at least one port');
  return out;
}

/** A bare host argument: a name or an address (IPv6 with or without brackets). */
export function parseHost(text: string): string {
  const trimmed = text.trim();
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (isIP(unbracketed) !== 0) return unbracketed.toLowerCase();
  const host = unbracketed.toLowerCase().replace(/\.$/, '');
  if (/^[^:]+:\d+$/.test(host)) {
    throw new MailprobeError('ECONFIG', `"${text}": give a port with --ports ${host.split(':')[1]} or as a URL such as submission://${host}`);
  }
  if (!isValidHostName(host)) throw new MailprobeError('ECONFIG', `"${text}" is not a host name, an address or a URL`);
  return host;
}

/**
 * The endpoints of a run, in argument order, without duplicates. `ports` (from --ports) applies
 * to bare hosts; URLs always name one port.
 */
export function endpointsFor(args: readonly string[], ports: readonly PortSpec[] | undefined): Endpoint[] {
  if (args.length === 0) throw new MailprobeError('ECONFIG', 'diagnose needs a HOST or URLs, e.g. mailprobe diagnose mail.example.org');
  const out: Endpoint[] = [];
  const add = (e: Endpoint): void => {
    if (!out.some((o) => o.host === e.host && o.port === e.port)) out.push(e);
  };
  let hosts = 0;
  for (const arg of args) {
    if (arg.includes('://')) {
      const t = parseTarget(arg);
      add({ host: t.host, port: t.port, expected: t.scheme, explicit: true });
      continue;
    }
    hosts++;
    const host = parseHost(arg);
    const specs = ports ?? DEFAULT_PORTS.map((port) => ({ port, expected: WELL_KNOWN_PORTS[port] }));
    for (const s of specs) add({ host, port: s.port, expected: s.expected, explicit: ports !== undefined });
  }
  if (ports !== undefined && hosts === 0) throw new MailprobeError('ECONFIG', '--ports applies to a HOST argument; a URL already names its port');
  return out;
}

/** The URL-like name of an endpoint for report `targets`: `submission://host:587`, `tcp://host:2525`. */
export function endpointUrl(e: Endpoint): string {
  const host = isIP(e.host) === 6 ? `[${e.host}]` : e.host;
  return `${e.expected ?? 'tcp'}://${host}:${e.port}`;
}
