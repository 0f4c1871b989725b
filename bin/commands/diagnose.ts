/**
 * `mailprobe diagnose HOST [--ports …]` or `mailprobe diagnose URL…`: what each port really
 * speaks and what is wrong with its TLS, certificate and authentication, with the fix.
 * `mailprobe diagnose DOMAIN --domain` (or a bare name with MX records and no --ports): every
 * MX address's port 25, MTA-STS, TLS-RPT and DANE (engine/domain).
 */
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMailprobeError, MailprobeError } from '../../drivers/errors.js';
import { buildReport } from '../../engine/build-report.js';
import { diagnose, endpointsFor, endpointUrl, parseHost, parsePortList, type DiagnoseResult, type DiagnoseSettings } from '../../engine/diagnose/index.js';
import { createDnsClient, diagnoseDomain, overrideConnector, parseConnectTo, parseDnsServer, type ConnectOverride, type DnsClient, type DomainResult } from '../../engine/domain/index.js';
import { SEVERITIES, type Severity } from '../../engine/report-types.js';
import { escapeUnprintable } from '../../reports/escape.js';
import { renderConsole, shouldColor } from '../../reports/index.js';
import { atOrAbove, DEFAULT_FAIL_ON } from '../../reports/severity.js';
import { parseChoice, splitList } from '../args.js';
import { CONNECTION_OPTIONS, resolveConnection } from '../connection-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths, jsonToStdout, OUTPUT_OPTIONS, type OutputPaths, writeReportFiles } from '../report-files.js';
import { toolVersion } from '../version.js';

export const usage = `Usage: mailprobe diagnose HOST [options]
       mailprobe diagnose URL... [options]
       mailprobe diagnose DOMAIN --domain [options]

Finds what each port really speaks (plaintext, STARTTLS, implicit TLS, another protocol,
nothing) and what is wrong with its TLS, certificate and authentication, and says how to fix
it. HOST gets the mail ports 25, 465, 587, 143, 993, 110 and 995; a URL probes one port in the
role its scheme states (submission://mail.example.org:2587, smtps://…, imap://…, pop3s://…).

Domain mode (--domain, or a bare name that has MX records when no --ports is given): the MX
hosts by preference, port 25 of each of their addresses (A and AAAA separately), the hosts of
SRV records (RFC 6186), MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE TLSA records (RFC 7672;
DNSSEC is not validated: only the resolver's AD bit is reported). Details: docs/domain.md.

Options:
  --ports LIST          ports for HOST, e.g. 25,587 or 2587=submission to name a role
  --domain              domain mode for DOMAIN
  --submission-host NAME  domain mode: also probe NAME's ports 465, 587, 143, 993, 110, 995
                        (repeatable; SRV records add their hosts by themselves)
  --resolver HOST:PORT  the DNS server to ask (default: the system's), e.g. a staging DNS;
                        used for host names in host mode too
  --connect-to FROM=TO  connect to TO (HOST:PORT) whenever FROM (HOST:PORT, *:PORT for any host)
                        is meant, keeping FROM's name for SNI and certificate checks, e.g.
                        mx.example.org:25=192.0.2.7:2525 or mta-sts.example.org:443=127.0.0.1:8443
  --servername NAME     SNI and the name the certificate must match (default: HOST)
  --ca FILE             extra trusted CA certificates (PEM): your private CA is not "untrusted"
  --insecure            report trust and name problems as info only
  --timeout DURATION    deadline per step and per connection phase (default 5s); a port that
                        stays silent is known to be silent after about this long
  --user USER           with a password ($MAILPROBE_PASSWORD, --password-env VAR or
                        --password-file FILE): where a port offers login before TLS, diagnose
                        TRIES it over the cleartext connection, to prove whether passwords are
                        accepted unencrypted (finding auth.plaintext-accepted)
  --probes              also the security probes that open mail transactions or fail logins
                        on purpose: open relay (RCPT to example.com, never DATA), VRFY/EXPN,
                        RCPT enumeration, SMTP smuggling (messages to --rcpt only) and login
                        throttling (5 failed logins with a made-up user per login port);
                        what each sends: docs/security-probes.md
  --rcpt ADDRESS        with --probes: a local recipient on the target's own domain; the
                        smuggling probe mails it (about 8 short messages per SMTP port)
  --fail-on SEVERITY    critical | high (default) | medium | low | info: the lowest severity
                        of a finding that makes exit code 1
  --json FILE|-         JSON report (- for stdout)
  --junit FILE          JUnit XML report (one testcase per finding)
  --md FILE             Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --html FILE           self-contained HTML report: port matrix and findings

Exit codes: 0 no finding at or above --fail-on, 1 there is one, 2 bad usage, 4 nothing
reachable, 130 interrupted. Finding ids and fixes: docs/diagnose.md.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...CONNECTION_OPTIONS,
      ...OUTPUT_OPTIONS,
      ports: { type: 'string', multiple: true },
      domain: { type: 'boolean' },
      'submission-host': { type: 'string', multiple: true },
      resolver: { type: 'string', multiple: true },
      'connect-to': { type: 'string', multiple: true },
      probes: { type: 'boolean' },
      rcpt: { type: 'string' },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  if (values.starttls !== undefined) {
    throw new MailprobeError('ECONFIG', '--starttls does not apply to diagnose: it tries STARTTLS wherever it is offered');
  }
  const rcpt = values.rcpt;
  if (rcpt !== undefined && values.probes !== true) throw new MailprobeError('ECONFIG', '--rcpt is for --probes (the smuggling and RCPT probes mail it); add --probes');
  if (rcpt !== undefined && !/^[^@\s<>]+@[^@\s<>]+$/.test(rcpt)) throw new MailprobeError('ECONFIG', `--rcpt "${rcpt}" is not an address like user@example.org`);
  const probes = values.probes === true ? { rcpt } : undefined;
  const ports = values.ports === undefined ? undefined : parsePortList(splitList(values.ports));
  const overrides = (values['connect-to'] ?? []).map(parseConnectTo);
  const resolvers = values.resolver === undefined ? undefined : splitList(values.resolver).map(parseDnsServer);
  const submissionHosts = splitList(values['submission-host']).map(parseHost);
  const domainArg = values.domain === true ? domainArgument(positionals, ports, values.servername) : undefined;
  const endpoints = domainArg === undefined ? endpointsFor(positionals, ports) : [];
  const failOn: Severity = values['fail-on'] === undefined ? DEFAULT_FAIL_ON : parseChoice('--fail-on', values['fail-on'], SEVERITIES);
  const outputs = { json: values.json, junit: values.junit, md: values.md, html: values.html };
  await checkOutputPaths(outputs);
  const connection = await resolveConnection(values, io, { timeoutMs: 5_000, starttls: 'optional' });
  const consoleOut = jsonToStdout(outputs) ? io.stderr : io.stdout;
  const dns = createDnsClient({ ...(resolvers ? { servers: resolvers } : {}), timeoutMs: connection.stepTimeoutMs, signal: io.signal });
  let domain = domainArg;
  if (domain === undefined && ports === undefined && values.servername === undefined) {
    domain = await autoDetectDomain(positionals, createDnsClient({ ...(resolvers ? { servers: resolvers } : {}), timeoutMs: Math.min(connection.stepTimeoutMs, AUTO_DETECT_MS), signal: io.signal }));
    if (domain !== undefined) consoleOut.write(`note: ${domain} has MX records: diagnosing it as a mail domain (give --ports or URLs to probe it as a host)\n`);
  }
  if (domain === undefined && submissionHosts.length > 0) throw new MailprobeError('ECONFIG', '--submission-host is for domain mode: add --domain');
  if (connection.credentials) {
    consoleOut.write(`note: --user ${connection.credentials.user}: a login will be attempted over cleartext wherever a port offers it before TLS\n`);
  }
  if (probes !== undefined) {
    consoleOut.write(
      `note: --probes: mail transactions are opened (relay test to example.com, stopped before DATA) and 5 failed logins with a made-up user are tried per login port${
        probes.rcpt === undefined ? '; without --rcpt the SMTP smuggling and RCPT probes are skipped' : `; SMTP smuggling probe messages go to ${probes.rcpt}`
      }\n`,
    );
  }

  const settings: DiagnoseSettings = {
    tls: connection.tls,
    timeoutMs: connection.stepTimeoutMs,
    timeouts: connection.timeouts,
    credentials: connection.credentials,
    ...(probes ? { probes } : {}),
    signal: io.signal,
    now: () => new Date(),
    clientName: 'mailprobe.invalid',
  };
  if (domain !== undefined) return runDomain({ domain, dns, settings, overrides, submissionHosts, io, consoleOut, outputs, failOn, insecure: connection.tls.insecure === true });

  const startedAt = new Date();
  const t0 = performance.now();
  let result: DiagnoseResult;
  try {
    result = await diagnose({
      endpoints,
      settings,
      ...(resolvers ? { resolve: (host: string) => firstAddress(dns, host) } : {}),
      ...(overrides.length > 0 ? { connectFor: (e) => overrideConnector(overrides, [e.host]) } : {}),
    });
  } catch (err) {
    if (isMailprobeError(err, 'EDNS')) {
      io.stderr.write(`mailprobe: ${err.message}\n`);
      return EXIT.UNREACHABLE;
    }
    if (!isMailprobeError(err, 'EABORTED')) throw err;
    result = { ports: [], findings: [], server: {}, reachable: false, partial: true };
  }
  const report = buildReport({
    command: 'diagnose',
    version: toolVersion(),
    startedAt,
    durationMs: performance.now() - t0,
    targets: endpoints.map(endpointUrl),
    server: result.server,
    checks: [],
    findings: result.findings,
    ports: result.ports,
    partial: result.partial,
    insecure: connection.tls.insecure === true,
  });
  consoleOut.write(renderConsole(report, { color: shouldColor(consoleOut, io.env) }));
  const exitCode = result.partial ? EXIT.INTERRUPTED : !result.reachable ? EXIT.UNREACHABLE : report.findings.some((f) => atOrAbove(f.severity, failOn)) ? EXIT.FAILED : EXIT.OK;
  await writeReportFiles(report, outputs, io, { failOn, exitCode });
  return exitCode;
}

/** The one DOMAIN argument of --domain, or an ECONFIG saying what is wrong. */
function domainArgument(positionals: readonly string[], ports: unknown, servername: string | undefined): string {
  if (ports !== undefined) throw new MailprobeError('ECONFIG', '--ports is for host mode; domain mode probes port 25 of every MX (and the SRV/--submission-host ports)');
  if (servername !== undefined) throw new MailprobeError('ECONFIG', '--servername is for host mode; domain mode checks each host against its own name');
  if (positionals.length !== 1) throw new MailprobeError('ECONFIG', '--domain takes one DOMAIN, e.g. mailprobe diagnose example.org --domain');
  const arg = positionals[0]!;
  if (arg.includes('://')) throw new MailprobeError('ECONFIG', `--domain takes a domain name, not a URL ("${arg}")`);
  const domain = parseHost(arg);
  if (isIP(domain) !== 0) throw new MailprobeError('ECONFIG', `--domain takes a domain name, not an address ("${arg}")`);
  return domain;
}

/** How long a bare name's MX lookup may take before it is treated as a host. */
const AUTO_DETECT_MS = 3_000;

/** A single bare name with MX records is a mail domain; anything else (or any DNS trouble) is a host. */
async function autoDetectDomain(positionals: readonly string[], dns: DnsClient): Promise<string | undefined> {
  if (positionals.length !== 1 || positionals[0]!.includes('://')) return undefined;
  let name: string;
  try {
    name = parseHost(positionals[0]!);
  } catch {
    return undefined;
  }
  if (isIP(name) !== 0 || !name.includes('.')) return undefined;
  const mx = await dns.lookup(name, 'MX');
  return mx.status === 'ok' && mx.records.length > 0 ? name : undefined;
}

/** Host mode with --resolver: the first A, else AAAA, from that resolver. */
async function firstAddress(dns: DnsClient, host: string): Promise<string> {
  const [a, aaaa] = await Promise.all([dns.lookup(host, 'A'), dns.lookup(host, 'AAAA')]);
  const address = a.records[0] ?? aaaa.records[0];
  if (address !== undefined) return address;
  throw new Error([a, aaaa].find((l) => l.status === 'error')?.error ?? (a.status === 'nxdomain' ? 'NXDOMAIN' : 'no A or AAAA record'));
}

interface DomainRun {
  readonly domain: string;
  readonly dns: DnsClient;
  readonly settings: DiagnoseSettings;
  readonly overrides: readonly ConnectOverride[];
  readonly submissionHosts: readonly string[];
  readonly io: CliIo;
  readonly consoleOut: CliIo['stdout'];
  readonly outputs: OutputPaths;
  readonly failOn: Severity;
  readonly insecure: boolean;
}

async function runDomain(r: DomainRun): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  let result: DomainResult;
  try {
    result = await diagnoseDomain({ domain: r.domain, dns: r.dns, settings: r.settings, overrides: r.overrides, submissionHosts: r.submissionHosts });
  } catch (err) {
    if (!isMailprobeError(err, 'EABORTED')) throw err;
    result = { ports: [], findings: [], server: {}, targets: [r.domain], probed: 0, reachable: false, dnsFailed: false, partial: true, notes: [] };
  }
  const report = buildReport({
    command: 'diagnose',
    version: toolVersion(),
    startedAt,
    durationMs: performance.now() - t0,
    targets: result.targets,
    server: result.server,
    checks: [],
    findings: result.findings,
    ports: result.ports,
    partial: result.partial,
    insecure: r.insecure,
  });
  r.consoleOut.write(`domain ${r.domain}\n${result.notes.map((n) => `  ${escapeUnprintable(n)}\n`).join('')}\n`);
  r.consoleOut.write(renderConsole(report, { color: shouldColor(r.consoleOut, r.io.env) }));
  const exitCode = result.partial
    ? EXIT.INTERRUPTED
    : result.dnsFailed || (result.probed > 0 && !result.reachable)
      ? EXIT.UNREACHABLE
      : report.findings.some((f) => atOrAbove(f.severity, r.failOn))
        ? EXIT.FAILED
        : EXIT.OK;
  await writeReportFiles(report, r.outputs, r.io, { failOn: r.failOn, exitCode });
  return exitCode;
}

