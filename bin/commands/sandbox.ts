/**
 * `mailprobe sandbox [--fault NAME]… [--cert F --key F] [--users FILE]`: the embedded mail
 * server on its own, until interrupted. Prints the target URLs, the users and the CA file, and a
 * command line that checks it.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import { parsePort } from '../../drivers/target.js';
import { FAULT_PROFILES, PORT_NAMES, parseUsersFile, startSandbox, type PortName, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';
import { parseDuration, splitList } from '../args.js';
import type { CliIo } from '../io.js';

export const usage = `Usage: mailprobe sandbox [options]

Runs the embedded mail server (SMTP, IMAP and POP3 over one in-memory store) on loopback until
interrupted (Ctrl-C, exit code 0). Certificates are generated at start; nothing is relayed.

Options:
  --fault NAME          reproduce a misconfiguration (repeatable or comma-separated);
                        "--fault list" shows them with the diagnose finding each produces
  --users FILE          user:password lines (default: alice and bob, passwords generated)
  --cert FILE --key FILE  your own certificate chain (leaf first) and key, PEM
  --ca FILE             with --cert: the CA certificate clients should trust
  --servername NAME     host name in greetings and the certificate (default sandbox.mailprobe.test)
  --host ADDRESS        listen address (default 127.0.0.1)
  --port NAME=PORT      fixed port for smtp, submission, submissions, imap, imaps, pop3 or pop3s
                        (repeatable; default: free ports)
  --greeting-delay DURATION  how long the slow-greeting fault stalls (default 12s)
  --pop3-lock           one POP3 session per maildrop; others get -ERR [IN-USE]
  --empty               start with empty mailboxes (no welcome message and samples)
  --json                print the details as one JSON object
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      fault: { type: 'string', multiple: true },
      users: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      servername: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string', multiple: true },
      'greeting-delay': { type: 'string' },
      'pop3-lock': { type: 'boolean' },
      empty: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const faults = splitList(values.fault);
  if (faults.includes('list')) {
    io.stdout.write(faultTable());
    return 0;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new MailprobeError('ECONFIG', '--cert and --key go together');
  if (values.ca !== undefined && values.cert === undefined) throw new MailprobeError('ECONFIG', '--ca is for your own certificate: use it with --cert and --key');
  const options: SandboxOptions = {
    faults,
    caFile: true,
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.servername !== undefined ? { servername: values.servername } : {}),
    ...(values.port !== undefined ? { ports: parsePorts(values.port) } : {}),
    ...(values['greeting-delay'] !== undefined ? { greetingDelayMs: parseDuration('--greeting-delay', values['greeting-delay']) } : {}),
    ...(values['pop3-lock'] ? { pop3Lock: 'exclusive' as const } : {}),
    ...(values.empty ? { seed: false } : {}),
    ...(values.users !== undefined ? { users: parseUsersFile(await readText('--users', values.users), values.users) } : {}),
    ...(values.cert !== undefined && values.key !== undefined
      ? {
          tls: {
            certPem: await readText('--cert', values.cert),
            keyPem: await readText('--key', values.key),
            ...(values.ca !== undefined ? { caPem: await readText('--ca', values.ca) } : {}),
          },
        }
      : {}),
  };
  if (io.signal?.aborted) return 0;
  const sandbox = await startSandbox(options);
  try {
    io.stdout.write(values.json ? `${JSON.stringify(describe(sandbox))}\n` : banner(sandbox, values.ca));
    await new Promise<void>((resolve) => {
      if (!io.signal) return;
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (!values.json) io.stderr.write('mailprobe sandbox: stopping\n');
  } finally {
    await sandbox.stop();
  }
  return 0;
}

async function readText(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new MailprobeError('ECONFIG', `${flag} ${file}: cannot read (${(err as { code?: string }).code ?? String(err)})`);
  }
}

/** `imap=1143` → { imap: 1143 }. */
function parsePorts(specs: readonly string[]): Partial<Record<PortName, number>> {
  const out: Partial<Record<PortName, number>> = {};
  for (const spec of splitList(specs)) {
    const m = /^([a-z0-9]+)=(\d+)$/.exec(spec);
    if (!m || !(PORT_NAMES as readonly string[]).includes(m[1]!)) {
      throw new MailprobeError('ECONFIG', `--port "${spec}" is not NAME=PORT with NAME one of ${PORT_NAMES.join(', ')}`);
    }
    // 0 asks for a free port, as the default does.
    out[m[1] as PortName] = m[2] === '0' ? 0 : parsePort(m[2]!, `--port ${spec}`);
  }
  return out;
}

const ROLES: Readonly<Record<PortName, string>> = {
  smtp: 'MX: mail for local users, no AUTH, STARTTLS offered',
  submission: 'STARTTLS, then AUTH PLAIN/LOGIN (RFC 6409)',
  submissions: 'implicit TLS, AUTH PLAIN/LOGIN (RFC 8314)',
  imap: 'STARTTLS; LOGIN only after it',
  imaps: 'implicit TLS',
  pop3: 'STLS; USER/PASS and AUTH PLAIN only after it',
  pop3s: 'implicit TLS',
};

function describe(s: Sandbox): object {
  return { urls: s.urls, users: s.users, servername: s.servername, caFile: s.caFile ?? null, faults: s.faults };
}

function banner(s: Sandbox, userCa: string | undefined): string {
  const width = Math.max(...PORT_NAMES.map((n) => s.urls[n].length));
  const lines = [`mailprobe sandbox is running as ${s.servername}`, ''];
  for (const n of PORT_NAMES) lines.push(`  ${s.urls[n].padEnd(width)}  ${ROLES[n]}`);
  lines.push('', 'users (password from the sandbox, for your local tests only):');
  for (const u of s.users) lines.push(`  ${u.address}  ${u.password}`);
  const ca = s.caFile ?? userCa;
  lines.push('', `CA certificate: ${ca ?? '(none: clients must trust your certificate themselves)'}`);
  lines.push(`faults: ${s.faults.length > 0 ? s.faults.join(', ') : 'none'}`);
  const first = s.users[0];
  if (first) {
    const trust = `${ca ? ` --ca ${ca}` : ''} --servername ${s.servername}`;
    lines.push('', 'try:', `  MAILPROBE_PASSWORD='${first.password}' mailprobe check ${s.urls.submission} ${s.urls.imap} ${s.urls.pop3} --user ${first.address} --rcpt ${first.address}${trust}`);
  }
  lines.push('', 'Ctrl-C stops it.', '');
  return lines.join('\n');
}

function faultTable(): string {
  const width = Math.max(...FAULT_PROFILES.map((f) => f.id.length));
  return `${FAULT_PROFILES.map((f) => `${f.id.padEnd(width)}  ${f.title}\n${' '.repeat(width + 2)}ports: ${f.ports}; diagnose: ${f.findings.join(', ')}`).join('\n')}\n`;
}
