/**
 * One port, start to finish: find what it speaks, hold the main conversation, run the probes
 * that apply (TLS versions, STARTTLS injection, cleartext login) in parallel, and judge it all.
 */
import { isIP } from 'node:net';
import { SCHEMES, type Protocol } from '../../drivers/target.js';
import type { CertificateFacts } from '../../drivers/tls/certificate.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import { formatAddress } from '../../drivers/transport.js';
import type { CertificateReport, Finding, ObservedService, PortReport, ServerInfo, TlsReport } from '../report-types.js';
import { ADAPTERS } from './adapters.js';
import { judgeCertificate } from './certificate-rules.js';
import { LEGACY_TLS, openPort, type Greeted, type Opening } from './classify.js';
import { finding } from './finding.js';
import type { Limiter } from './limiter.js';
import { judgeOpening } from './port-rules.js';
import { probeVersion, TLS_VERSIONS, type ProbeTarget, type VersionProbe } from './probes.js';
import { classifyTlsError } from './raw-stream.js';
import { securityFindings, throttlingFindings } from './security.js';
import { GREETING_REST_FACTOR, runSession } from './session.js';
import { judgeSession } from './session-rules.js';
import type { DiagnoseSettings, Endpoint, SessionResult } from './types.js';
import { acceptedVersions, judgeVersions } from './version-rules.js';

export interface PortContext {
  readonly settings: DiagnoseSettings;
  readonly limiter: Limiter;
  /** Fingerprints of the user's --ca certificates. */
  readonly userAnchors: ReadonlySet<string>;
}

export interface PortDiagnosis {
  readonly endpoint: Endpoint;
  readonly report: PortReport;
  readonly findings: Finding[];
  /** TCP connected at least once. */
  readonly reachable: boolean;
  readonly server: { readonly url: string; readonly info: ServerInfo } | undefined;
  readonly leaf: CertificateFacts | undefined;
  /** The TLS facts of the main conversation (its STARTTLS or implicit-TLS handshake), if any. */
  readonly facts: TlsFacts | undefined;
  /** Probes for after every port is done (login throttling, --probes): their findings. */
  readonly deferred?: () => Promise<Finding[]>;
}

export async function diagnosePort(endpoint: Endpoint, address: string, ctx: PortContext): Promise<PortDiagnosis> {
  const { settings } = ctx;
  const expected = endpoint.expected === undefined ? undefined : SCHEMES[endpoint.expected];
  // Never abort on verification: certificate-rules.ts judges the facts. The certificate is
  // checked against the host as given (or --servername), also when a STARTTLS session's
  // transport connects to its address.
  const servername = settings.tls.servername ?? (isIP(endpoint.host) === 0 ? endpoint.host : undefined);
  const mainTls: TlsClientOptions = { ...settings.tls, ...(servername ? { servername } : {}), insecure: true };
  // A greeting that has begun (`220-`) and pauses is a deliberate delay (Postfix postscreen waits
  // 6 s before its final `220 `): its remaining lines get two deadlines, not one.
  const timeouts = { ...settings.timeouts, greetingMs: GREETING_REST_FACTOR * settings.timeoutMs };
  const transport = { host: address, port: endpoint.port, timeouts, ...(settings.signal ? { signal: settings.signal } : {}), ...(settings.connect ? { connector: settings.connect } : {}) };
  // The opening and the conversation on its connection hold one limiter slot.
  const first = await ctx.limiter.run(async () => {
    const opening = await openPort({ address, host: endpoint.host, port: endpoint.port, tlsFirst: expected?.implicitTls === true, tls: mainTls, timeoutMs: settings.timeoutMs, signal: settings.signal, connect: settings.connect });
    if (opening.kind !== 'greeting') return { opening, session: undefined };
    const tls = opening.legacyTls ? { ...mainTls, ...LEGACY_TLS } : mainTls;
    const adapter = ADAPTERS[opening.protocol];
    const session = await runSession({ adapter, options: { ...transport, connector: () => opening.stream, tls }, implicitTls: opening.via === 'tls', clientName: settings.clientName });
    return { opening, session, tls };
  });
  const { opening } = first;
  const verdict = judgeOpening(endpoint, opening, settings.timeoutMs);
  if (opening.kind !== 'greeting') {
    const facts = opening.kind === 'silent' || opening.kind === 'foreign' ? opening.tls : undefined;
    const cert = facts ? certificate(endpoint, facts, [], ctx) : undefined;
    return {
      endpoint,
      report: { port: endpoint.port, host: endpoint.host, expected: endpoint.expected ?? 'unknown', observed: observedFor(opening), ...(facts ? { tls: tlsReport(facts, [], cert?.report ?? null) } : {}) },
      findings: [...verdict.findings, ...(cert?.findings ?? [])],
      reachable: opening.kind !== 'closed' && opening.kind !== 'timeout',
      server: undefined,
      leaf: facts?.chain[0],
      facts,
    };
  }
  let session = first.session!;
  let tls = first.tls!;
  const step = session.starttls;
  if (opening.via === 'plaintext' && step?.accepted && step.tls === undefined && classifyTlsError(step.errorCode, step.error ?? '') === 'refused') {
    // A server that speaks only TLS 1.0/1.1 refuses a default ClientHello: try once allowing them.
    const legacy = { ...mainTls, ...LEGACY_TLS };
    const adapter = ADAPTERS[opening.protocol];
    const retry = await ctx.limiter.run(() => runSession({ adapter, options: { ...transport, implicitTls: false, tls: legacy }, implicitTls: false, clientName: settings.clientName }));
    if (retry.starttls?.tls) {
      session = retry;
      tls = legacy;
    }
  }
  return probeAndJudge({ endpoint, address, opening, session, tls, openingFindings: verdict.findings, mixup: verdict.mixup }, ctx);
}

interface Conversed {
  readonly endpoint: Endpoint;
  readonly address: string;
  readonly opening: Greeted;
  readonly session: SessionResult;
  /** TLS options that worked for the main conversation. */
  readonly tls: TlsClientOptions;
  readonly openingFindings: readonly Finding[];
  readonly mixup: boolean;
}

/** The probes a working port gets, in parallel, then every rule over what was seen. */
async function probeAndJudge(c: Conversed, ctx: PortContext): Promise<PortDiagnosis> {
  const { settings } = ctx;
  const { endpoint, opening, session } = c;
  const adapter = ADAPTERS[opening.protocol];
  const implicitTls = opening.via === 'tls';
  const facts = implicitTls ? opening.tls : session.starttls?.tls;
  const target: ProbeTarget = { adapter, address: c.address, host: endpoint.host, port: endpoint.port, implicitTls, tls: c.tls, settings };
  const usable = session.greetingStatus === 'ok' && !session.greetingCut && session.greetingError === undefined && session.malformedReply === undefined && !session.closedAfterGreeting && session.closedAfterCommand === undefined;
  const credentials = settings.credentials;
  const tryLogin = credentials !== undefined && usable && !implicitTls && (session.caps?.cleartextLogin ?? session.protocol === 'pop3');
  const plan = { injection: !implicitTls && session.starttls?.tls !== undefined, cleartextLogin: tryLogin, role: endpoint.expected === undefined ? undefined : SCHEMES[endpoint.expected].role };
  const [versions, security] = await Promise.all([
    facts ? Promise.all(TLS_VERSIONS.map((v) => ctx.limiter.run(() => probeVersion(target, v)))) : Promise.resolve([]),
    usable ? securityFindings(target, plan, ctx.limiter) : Promise.resolve([]),
  ]);
  const findings = [...c.openingFindings, ...judgeSession({ endpoint, session, mixup: c.mixup, timeoutMs: settings.timeoutMs })];
  const cert = facts ? certificate(endpoint, facts, versions, ctx) : undefined;
  if (facts && cert) {
    findings.push(...cert.findings, ...judgeVersions(endpoint, versions, facts.protocol), ...incompleteProbes(endpoint, versions));
  }
  findings.push(...security);
  const deferred = usable ? throttlingFindings(target, ctx.limiter) : undefined;
  return {
    endpoint,
    report: {
      port: endpoint.port,
      host: endpoint.host,
      expected: endpoint.expected ?? 'unknown',
      observed: implicitTls ? 'tls' : (`${opening.protocol}-${offersStarttls(session) ? 'starttls' : 'plaintext'}` as ObservedService),
      ...(facts ? { tls: tlsReport(facts, versions, cert?.report ?? null) } : {}),
    },
    findings,
    reachable: true,
    server: { url: serverUrl(opening.protocol, implicitTls, endpoint), info: serverInfo(session) },
    leaf: facts?.chain[0],
    facts,
    ...(deferred ? { deferred } : {}),
  };
}

function certificate(endpoint: Endpoint, facts: TlsFacts, versions: readonly VersionProbe[], ctx: PortContext): ReturnType<typeof judgeCertificate> {
  const probe = versions.find((v) => v.facts !== undefined && v.version === facts.protocol) ?? versions.find((v) => v.facts !== undefined);
  return judgeCertificate({
    endpoint,
    facts,
    bundledFacts: probe?.facts,
    userAnchors: ctx.userAnchors,
    insecure: ctx.settings.tls.insecure === true,
    nameGiven: ctx.settings.tls.servername !== undefined || isIP(endpoint.host) === 0,
    now: ctx.settings.now(),
  });
}

/** Version probes that could not get as far as a handshake leave the version list incomplete. */
function incompleteProbes(endpoint: Endpoint, versions: readonly VersionProbe[]): Finding[] {
  const unknown = versions.filter((v) => v.verdict === 'unknown');
  if (unknown.length === 0) return [];
  const seen = `${unknown.map((v) => v.version).join(', ')} could not be tested: the probe connections were refused or dropped before the handshake.`;
  return [finding('port.rate-limited', endpoint, { seen, evidence: unknown.map((v) => `I: ${v.version}: ${v.detail}`) })];
}

function tlsReport(facts: TlsFacts, versions: readonly VersionProbe[], certificate: CertificateReport | null): TlsReport {
  return { version: facts.protocol, cipher: facts.cipher, versions: acceptedVersions(versions, facts.protocol), certificate };
}

function offersStarttls(session: SessionResult): boolean {
  return session.caps?.starttls === true || session.starttls?.accepted === true;
}

function observedFor(opening: Exclude<Opening, Greeted>): ObservedService {
  switch (opening.kind) {
    case 'closed':
      return 'closed';
    case 'timeout':
      return 'timeout';
    case 'tls-failed':
      return 'tls';
    case 'silent':
    case 'foreign':
      return opening.tls ? 'tls' : opening.kind === 'silent' ? 'silent' : 'unknown';
  }
}

function serverUrl(protocol: Protocol, implicitTls: boolean, endpoint: Endpoint): string {
  return `${protocol}${implicitTls ? 's' : ''}://${formatAddress(endpoint.host, endpoint.port)}`;
}

function serverInfo(session: SessionResult): ServerInfo {
  const caps = session.starttls?.capsAfter ?? session.caps;
  return { greeting: session.greeting, capabilities: caps?.raw ?? [] };
}
