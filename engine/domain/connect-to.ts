/**
 * `--connect-to FROM=TO`, like curl's: connections meant for FROM (`HOST:PORT`, a name or an
 * address; `*:PORT` for any host) go to TO (`HOST:PORT`) instead, while names, SNI and
 * certificate checks stay those of FROM. This is how a staging setup or the tests reach an MX's
 * port 25 or an MTA-STS policy host's port 443 on other ports. The most specific rule wins: a
 * name before an address before `*`.
 */
import { connect as netConnect, isIP } from 'node:net';
import { MailprobeError } from '../../drivers/errors.js';
import { formatAddress } from '../../drivers/transport.js';
import type { TcpConnector } from '../diagnose/types.js';

export interface ConnectOverride {
  /** Lower-case name or address; undefined: any host. */
  readonly fromHost: string | undefined;
  readonly fromPort: number;
  readonly toHost: string;
  readonly toPort: number;
}

export interface Destination {
  readonly host: string;
  readonly port: number;
}

function splitHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65_535) throw new MailprobeError('ECONFIG', `--connect-to: "${text}" is not ${what} (HOST:PORT, [IPv6]:PORT)`);
  const host = (m[1] ?? m[2] ?? '').toLowerCase();
  if (m[1] !== undefined && isIP(m[1]) !== 6) throw new MailprobeError('ECONFIG', `--connect-to: "${text}": brackets hold an IPv6 address`);
  return { host, port };
}

/** `mail.example.org:25=127.0.0.1:2525`, `[::1]:25=[::1]:2526`, `*:443=127.0.0.1:8443`. */
export function parseConnectTo(text: string): ConnectOverride {
  const parts = text.split('=');
  if (parts.length !== 2) throw new MailprobeError('ECONFIG', `--connect-to "${text}": write FROM=TO, e.g. mx.example.org:25=127.0.0.1:2525`);
  const from = splitHostPort(parts[0]!, 'a FROM');
  const to = splitHostPort(parts[1]!, 'a TO');
  if (to.host === '' || to.host === '*') throw new MailprobeError('ECONFIG', `--connect-to "${text}": TO needs a host`);
  return { fromHost: from.host === '' || from.host === '*' ? undefined : from.host, fromPort: from.port, toHost: to.host, toPort: to.port };
}

/**
 * Where a connection for `port` on one of `names` (the host names it is for, then its address)
 * goes; undefined: nowhere else.
 */
export function overrideFor(overrides: readonly ConnectOverride[], names: readonly string[], port: number): Destination | undefined {
  const wanted = names.map((n) => n.toLowerCase().replace(/\.$/, ''));
  for (const name of wanted) {
    const hit = overrides.find((o) => o.fromPort === port && o.fromHost === name);
    if (hit) return { host: hit.toHost, port: hit.toPort };
  }
  const any = overrides.find((o) => o.fromPort === port && o.fromHost === undefined);
  return any ? { host: any.toHost, port: any.toPort } : undefined;
}

/**
 * A TCP connector applying the overrides for a host known by `names` (say the MX name): the
 * address it is asked for is tried as a name too. Undefined when there are no overrides.
 */
export function overrideConnector(overrides: readonly ConnectOverride[], names: readonly string[]): TcpConnector | undefined {
  if (overrides.length === 0) return undefined;
  return ({ host, port }) => {
    const to = overrideFor(overrides, [...names, host], port) ?? { host, port };
    return netConnect({ host: to.host, port: to.port });
  };
}

export function describeOverride(o: ConnectOverride): string {
  return `${o.fromHost === undefined ? `*:${o.fromPort}` : formatAddress(o.fromHost, o.fromPort)} → ${formatAddress(o.toHost, o.toPort)}`;
}
