/**
 * What the opening of a port says about it: closed, filtered, silent, another protocol, or a
 * mail service in the wrong TLS mode for its port (RFC 8314 §3.3/§3.4: 465, 993, 995 are
 * implicit TLS; RFC 3207, RFC 2595, RFC 6409: 25, 587, 143, 110 greet in plaintext).
 */
import { SCHEMES } from '../../drivers/target.js';
import { formatAddress } from '../../drivers/transport.js';
import type { Finding, Severity } from '../report-types.js';
import type { Opening } from './classify.js';
import { finding } from './finding.js';
import type { Endpoint } from './types.js';

export interface PortVerdict {
  readonly findings: Finding[];
  /** The port speaks something else than it is for: role-based findings do not apply. */
  readonly mixup: boolean;
}

/** A port the user asked for is expected to be there; one from the default list may be unused. */
function absentSeverity(endpoint: Endpoint): Severity | undefined {
  return endpoint.explicit ? 'high' : undefined;
}

export function judgeOpening(endpoint: Endpoint, opening: Opening, timeoutMs: number): PortVerdict {
  const where = formatAddress(endpoint.host, endpoint.port);
  const expected = endpoint.expected === undefined ? undefined : SCHEMES[endpoint.expected];
  const none: PortVerdict = { findings: [], mixup: false };
  switch (opening.kind) {
    case 'closed':
      return { findings: [finding('port.closed', endpoint, { seen: `Connecting to ${where} was refused (${opening.code}).`, severity: absentSeverity(endpoint), evidence: [`I: connect ${where}: ${opening.code}`] })], mixup: false };
    case 'timeout':
      return { findings: [finding('port.timeout', endpoint, { seen: `No answer to a TCP connect to ${where} within ${timeoutMs} ms (${opening.code}).`, severity: absentSeverity(endpoint), evidence: [`I: connect ${where}: ${opening.code}`] })], mixup: false };
    case 'silent':
      return { findings: [finding('port.silent', endpoint, { seen: `${where} accepts connections but ${opening.detail}.`, evidence: [`I: ${opening.detail}`] })], mixup: true };
    case 'foreign': {
      const what = opening.banner ? `an ${opening.banner} server` : 'something that is not SMTP, IMAP or POP3';
      const expectedText = endpoint.expected ? ` on a port for ${endpoint.expected}` : '';
      return { findings: [finding('port.wrong-protocol', endpoint, { seen: `${where} answers like ${what}${expectedText}.`, evidence: [`S: ${opening.line}`] })], mixup: true };
    }
    case 'tls-failed': {
      const failed = finding('tls.handshake-failed', endpoint, { seen: `A TLS handshake with ${where} failed with every version tried: ${opening.detail}.`, evidence: [`I: ${opening.detail}`] });
      if (expected === undefined || expected.implicitTls) return { findings: [failed], mixup: false };
      const mode = finding('port.tls-on-plaintext-port', endpoint, { seen: `${where} is for ${endpoint.expected} but sent no greeting for ${timeoutMs} ms and answered a TLS ClientHello (with an alert).`, evidence: [`I: ${opening.detail}`] });
      return { findings: [mode, failed], mixup: true };
    }
    case 'greeting': {
      if (expected === undefined) return none;
      const out: Finding[] = [];
      const greeting = `S: ${opening.firstLine.replace(/\r?\n$/, '')}`;
      if (expected.implicitTls && opening.via === 'plaintext') {
        out.push(finding('port.plaintext-on-implicit-tls-port', endpoint, { seen: `${where} is for ${endpoint.expected} (TLS from the first byte) but greets in plaintext; a TLS ClientHello failed.`, evidence: [greeting] }));
      } else if (!expected.implicitTls && opening.via === 'tls') {
        out.push(finding('port.tls-on-plaintext-port', endpoint, { seen: `${where} is for ${endpoint.expected} (plaintext greeting, then STARTTLS) but sent nothing for ${timeoutMs} ms and then answered a TLS ClientHello.`, evidence: [`I: TLS handshake completed without STARTTLS`, greeting] }));
      }
      if (opening.protocol !== expected.protocol) {
        out.push(finding('port.wrong-protocol', endpoint, { seen: `${where} is for ${endpoint.expected} but greets like ${opening.protocol.toUpperCase()}.`, evidence: [greeting] }));
      }
      return { findings: out, mixup: out.length > 0 };
    }
  }
}
