/**
 * The security probes (engine/security) on one working port of a diagnose run. Always: the
 * STARTTLS injection probe and STARTTLS inside TLS where STARTTLS worked, and — only with the
 * user's credentials — a cleartext login where one is offered before TLS. With `--probes`
 * (settings.probes) also those that open mail transactions or fail logins on purpose: open
 * relay, VRFY/EXPN and RCPT enumeration, SMTP smuggling (needs --rcpt), and — once every port
 * is done — login throttling. Each probe holds one limiter slot; the smuggling variants run one
 * after another in theirs.
 */
import { ImapClient } from '../../drivers/imap/client.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import type { PortRole, Protocol } from '../../drivers/target.js';
import type { Finding } from '../report-types.js';
import {
  domainOf,
  probeAllSmuggling,
  probeAuthThrottling,
  probeExpn,
  probeOpenRelay,
  probePlaintextAuth,
  probeRcptEnumeration,
  probeStarttlsInjection,
  probeStarttlsRepeat,
  probeVrfy,
  securityFinding,
  smugglingSummary,
  type ClientFor,
  type ProbeContext,
  type ProbeFinding,
  type ProbeReport,
} from '../security/index.js';
import { targetOf } from './finding.js';
import type { Limiter } from './limiter.js';
import { transportOptions, type ProbeTarget } from './probes.js';

export interface SecurityPlan {
  /** STARTTLS worked on this plaintext port: run the injection probe. */
  readonly injection: boolean;
  /** Cleartext login is (or may be) offered and credentials were given: try it. */
  readonly cleartextLogin: boolean;
  /** What the port is for (submission ports log in before the smuggling transaction). */
  readonly role: PortRole | undefined;
}

/** Every security finding for one port. */
export async function securityFindings(t: ProbeTarget, plan: SecurityPlan, limiter: Limiter): Promise<Finding[]> {
  const { settings } = t;
  const protocol = t.adapter.protocol;
  const ctx = contextFor(t, protocol, false);
  const runs: Promise<readonly ProbeFinding[]>[] = [];
  const run = (probe: () => Promise<ProbeReport>): void => {
    runs.push(limiter.run(probe).then((r) => r.findings));
  };
  if (plan.injection) {
    run(() => probeStarttlsInjection(ctx));
    // Re-advertisement is judged from the main conversation (session-rules.ts).
    run(() => probeStarttlsRepeat(ctx, { skipReadvertised: true }));
  }
  const credentials = settings.credentials;
  if (plan.cleartextLogin && credentials !== undefined) {
    run(() => probePlaintextAuth(ctx, { credentials, send: true, note: 'diagnose tried this because you gave credentials.' }));
  }
  const probes = settings.probes;
  if (probes !== undefined && protocol === 'smtp') {
    const smtp = ctx as ProbeContext<'smtp'>;
    const rcpt = probes.rcpt;
    run(() => probeOpenRelay(smtp, { rcpt, address: t.address }));
    run(() => probeVrfy(smtp, { rcpt }));
    run(() => probeExpn(smtp, { rcpt }));
    if (rcpt !== undefined) {
      run(() => probeRcptEnumeration(smtp, rcpt));
      // On a submission port with credentials the transaction is authenticated (inside
      // verified TLS only: the user's trust settings, never diagnose's "look at anything").
      const login = plan.role === 'submission' ? credentials : undefined;
      const smugglingCtx = login === undefined ? smtp : (contextFor(t, 'smtp', true) as ProbeContext<'smtp'>);
      runs.push(
        limiter.run(async () => {
          const results = await probeAllSmuggling(smugglingCtx, { rcpt, ...(login ? { login } : {}) });
          return [...results.flatMap((r) => r.findings), ...smugglingSummary(results).findings];
        }),
      );
    }
  }
  const found = (await Promise.all(runs)).flat();
  return found.map((f) => securityFinding(f, { target: targetOf(t), port: t.port }));
}

/**
 * The login-throttling probe of one port (`--probes`), for after every other probe of the run:
 * its failed logins may make the server slow down every login from this address (Dovecot's
 * auth penalty), which must not turn the cleartext-login probe inconclusive.
 */
export function throttlingFindings(t: ProbeTarget, limiter: Limiter): (() => Promise<Finding[]>) | undefined {
  const { settings } = t;
  const probes = settings.probes;
  if (probes === undefined) return undefined;
  const domain = domainOf(probes.rcpt) ?? domainOf(settings.credentials?.user);
  const ctx = contextFor(t, t.adapter.protocol, false);
  return async () => {
    const r = await limiter.run(() => probeAuthThrottling(ctx, { domain }));
    return r.findings.map((f) => securityFinding(f, { target: targetOf(t), port: t.port }));
  };
}

/**
 * Connections for the probes, reaching the port as the main conversation did. TLS is not
 * verified (diagnose judges certificates itself) unless `verify`: a connection that will carry
 * the user's password checks the certificate with the user's trust settings (--ca, --insecure).
 */
function contextFor(t: ProbeTarget, protocol: Protocol, verify: boolean): ProbeContext<Protocol> {
  const { settings } = t;
  const options = (): ReturnType<typeof transportOptions> => {
    const o = transportOptions(t, t.tls);
    return verify ? { ...o, tls: { ...o.tls, insecure: settings.tls.insecure === true } } : o;
  };
  const open = OPENERS[protocol];
  return {
    protocol,
    open: () => open(options()),
    implicitTls: t.implicitTls,
    starttls: true,
    timeoutMs: settings.timeoutMs,
    clientName: settings.clientName,
    signal: settings.signal,
  };
}

const OPENERS: { readonly [P in Protocol]: (o: ReturnType<typeof transportOptions>) => Promise<ClientFor[P]> } = {
  smtp: (o) => SmtpClient.connect(o),
  imap: (o) => ImapClient.connect(o),
  pop3: (o) => Pop3Client.connect(o),
};
