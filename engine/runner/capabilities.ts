import type { Protocol } from '../../drivers/target.js';
import type { StartState } from '../suite/schema.js';
import type { ServerCapabilities } from './environment.js';

/**
 * Which announced capabilities a check's `requires` is judged against: those of the phase its
 * start state reaches (RFC 3207 §4.2 and RFC 9051 §6.2.1: the list may change after TLS and
 * after login).
 */
export function capabilitiesAt(caps: ServerCapabilities, start: StartState): ReadonlySet<string> {
  if (start === 'authenticated' || start === 'selected') return caps.authenticated ?? caps.tls ?? caps.plain;
  if (start === 'tls') return caps.tls ?? caps.plain;
  return caps.plain.size > 0 || caps.tls === undefined ? caps.plain : caps.tls;
}

/** Requirements not announced. `STARTTLS`/`STLS` are judged before TLS, where they appear. */
export function missingCapabilities(requires: readonly string[], caps: ServerCapabilities, start: StartState, _protocol: Protocol): string[] {
  const at = capabilitiesAt(caps, start);
  return requires.filter((r) => {
    const want = r.toUpperCase();
    if (want === 'STARTTLS' || want === 'STLS') return !caps.plain.has(want);
    return !at.has(want);
  });
}
