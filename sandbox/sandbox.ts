/**
 * startSandbox(): the embedded mail server. One in-memory store, seven listening ports (SMTP as
 * MX, submission and implicit-TLS submission; IMAP and IMAPS; POP3 and POP3S) on loopback and
 * ephemeral ports by default, certificates minted at start, optional fault profiles.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailprobeError } from '../drivers/errors.js';
import type { FrontEndContext } from './context.js';
import type { FaultEffects } from './faults/effects.js';
import { resolveFaults, type FaultId } from './faults/profiles.js';
import { imapHandler, imapLines } from './imap/index.js';
import { resolveLimits, type SandboxLimits } from './limits.js';
import { Listener, type ConnectionHandler, type ProtocolLines } from './net/listener.js';
import { serverSecureContext, serverTlsOptions } from './net/tls.js';
import { createSandboxPki, type ServerCredentials } from './pki/chain.js';
import { pop3Handler, pop3Lines } from './pop3/index.js';
import { smtpFrontEnd, smtpLines, type SmtpFrontEnd } from './smtp/index.js';
import type { QuotaPolicy } from './store/account.js';
import { seedAccount } from './store/seed.js';
import { Store } from './store/store.js';
import { resolveUsers, type SandboxUser } from './users.js';

export const PORT_NAMES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'] as const;
export type PortName = (typeof PORT_NAMES)[number];

export const DEFAULT_SERVERNAME = 'sandbox.mailprobe.test';

export interface SandboxOptions {
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port per service; 0 or absent: an ephemeral port. */
  readonly ports?: Partial<Record<PortName, number>>;
  /** Host name in greetings and in the certificate; also the mail domain (default sandbox.mailprobe.test). */
  readonly servername?: string;
  /** Accounts: `alice` (on the sandbox domain) or an address; passwords generated when absent. */
  readonly users?: readonly { readonly user: string; readonly password?: string }[];
  /** Fault profile ids (sandbox/faults/profiles.ts, docs/sandbox.md). */
  readonly faults?: readonly string[];
  /** How long the slow-greeting fault stalls the greeting (default 12 000 ms). */
  readonly greetingDelayMs?: number;
  /** Your own certificate chain (leaf first) and key instead of the generated ones; `caPem` to trust it. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string; readonly caPem?: string };
  /** Key algorithm of the generated certificates (default ec-p256). */
  readonly keyKind?: 'ec-p256' | 'rsa-2048';
  /** Write the CA certificate to this path, or (true) to a temporary file that stop() removes. */
  readonly caFile?: string | boolean;
  readonly limits?: Partial<SandboxLimits>;
  /** When a delivery does not fit a user's quota: drop the oldest INBOX mail (default) or refuse (452). */
  readonly quota?: QuotaPolicy;
  /**
   * POP3 maildrop locking (RFC 1939 §8 "as necessary"): `none` (default; every session works on
   * its own snapshot, as Dovecot does, so concurrent checks and bench sessions of one user work)
   * or `exclusive` (one session per maildrop, others get -ERR [IN-USE], RFC 2449 §8.1.2).
   */
  readonly pop3Lock?: 'exclusive' | 'none';
  /** Start each INBOX with a welcome message and a few deletable samples (default true). */
  readonly seed?: boolean;
}

export interface Sandbox {
  /** Target URLs in mailprobe's scheme names, e.g. `submission://127.0.0.1:40123`. */
  readonly urls: Readonly<Record<PortName, string>>;
  readonly ports: Readonly<Record<PortName, number>>;
  readonly host: string;
  readonly users: readonly SandboxUser[];
  /** The root certificate to trust (`--ca`); undefined with your own certificate and no caPem. */
  readonly caPem: string | undefined;
  /** Where the CA certificate was written, when asked. */
  readonly caFile: string | undefined;
  /** SNI and the name to check the certificate against (`--servername`). */
  readonly servername: string;
  readonly faults: readonly FaultId[];
  readonly effects: FaultEffects;
  /** The shared store (inspection, seeding, stats). */
  readonly store: Store;
  /** Close every listener and connection; resolves when all are closed. Idempotent. */
  stop(): Promise<void>;
}

interface PortPlan {
  readonly protocol: 'smtp' | 'imap' | 'pop3';
  readonly implicitTls: boolean;
  readonly role: 'mx' | 'submission' | 'mailbox';
}

const PLAN: Readonly<Record<PortName, PortPlan>> = {
  smtp: { protocol: 'smtp', implicitTls: false, role: 'mx' },
  submission: { protocol: 'smtp', implicitTls: false, role: 'submission' },
  submissions: { protocol: 'smtp', implicitTls: true, role: 'submission' },
  imap: { protocol: 'imap', implicitTls: false, role: 'mailbox' },
  imaps: { protocol: 'imap', implicitTls: true, role: 'mailbox' },
  pop3: { protocol: 'pop3', implicitTls: false, role: 'mailbox' },
  pop3s: { protocol: 'pop3', implicitTls: true, role: 'mailbox' },
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const servername = (options.servername ?? DEFAULT_SERVERNAME).toLowerCase();
  const limits = resolveLimits(options.limits);
  const effects = resolveFaults(options.faults ?? [], options.greetingDelayMs === undefined ? {} : { greetingDelayMs: options.greetingDelayMs });
  const faults = [...new Set(options.faults ?? [])] as FaultId[];
  const users = resolveUsers(options.users, servername);
  const { credentials, caPem } = await certificates(options, servername, effects);
  const tlsSettings = { credentials, legacyOnly: effects.legacyTls };
  const ctx: FrontEndContext = {
    store: new Store({ domain: servername, limits, users, quotaPolicy: options.quota ?? 'evict-oldest' }),
    limits,
    servername,
    tls: serverSecureContext(tlsSettings),
    faults: effects,
    pop3Lock: options.pop3Lock ?? 'none',
  };
  if (options.seed !== false) for (const account of ctx.store.accounts) seedAccount(account, servername);
  const smtpFrontEnds: SmtpFrontEnd[] = [];
  const listeners: Listener[] = [];
  const ports = {} as Record<PortName, number>;
  let caFile: string | undefined;
  let tempDir: string | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all(listeners.map((l) => l.close()));
    await Promise.all(smtpFrontEnds.map((f) => f.close()));
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    for (const name of PORT_NAMES) {
      const plan = PLAN[name];
      let handle: ConnectionHandler;
      let lines: ProtocolLines;
      if (plan.protocol === 'smtp') {
        const fe = smtpFrontEnd(ctx, plan.role === 'mx' ? 'mx' : 'submission', serverTlsOptions(tlsSettings));
        smtpFrontEnds.push(fe);
        handle = fe.handle;
        lines = smtpLines(servername);
      } else if (plan.protocol === 'imap') {
        handle = imapHandler(ctx);
        lines = imapLines(servername);
      } else {
        handle = pop3Handler(ctx);
        lines = pop3Lines(servername);
      }
      const tlsFirst = plan.implicitTls ? !effects.implicitTlsPlaintext : effects.cleartextPortsWantTls;
      const listener = new Listener({
        name,
        host,
        port: options.ports?.[name] ?? 0,
        tls: tlsFirst ? ctx.tls : undefined,
        lines,
        // Greeting delays are an SMTP anti-spam measure (postscreen, tarpits): SMTP ports only.
        greetingFault: effects.greeting === 'slow' && plan.protocol !== 'smtp' ? undefined : effects.greeting,
        greetingDelayMs: effects.greetingDelayMs,
        limits,
        handle,
      });
      listeners.push(listener);
      ports[name] = await listener.listen();
    }
    if (options.caFile !== undefined && options.caFile !== false && caPem !== undefined) {
      if (options.caFile === true) {
        tempDir = await mkdtemp(join(tmpdir(), 'mailprobe-sandbox-'));
        caFile = join(tempDir, 'ca.pem');
      } else caFile = options.caFile;
      await writeFile(caFile, caPem, { mode: 0o644 });
    }
  } catch (err) {
    await stop();
    if (err instanceof Error && 'code' in err && (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')) {
      throw new MailprobeError('ECONFIG', `sandbox cannot listen on ${host}: ${err.message}`, {}, { cause: err });
    }
    throw err;
  }
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const shown = isIP(urlHost) === 6 ? `[${urlHost}]` : urlHost;
  const urls = Object.fromEntries(PORT_NAMES.map((n) => [n, `${n}://${shown}:${ports[n]}`])) as Record<PortName, string>;
  let stopped: Promise<void> | undefined;
  return {
    urls,
    ports,
    host: urlHost,
    users,
    caPem,
    caFile,
    servername,
    faults,
    effects,
    store: ctx.store,
    stop: () => (stopped ??= stop()),
  };
}

async function certificates(options: SandboxOptions, servername: string, effects: FaultEffects): Promise<{ credentials: ServerCredentials; caPem: string | undefined }> {
  if (options.tls) {
    if (effects.certificate) throw new MailprobeError('ECONFIG', 'certificate faults need the generated certificates; leave out --cert/--key');
    return { credentials: { keyPem: options.tls.keyPem, chainPem: options.tls.certPem, needsLegacyCrypto: false }, caPem: options.tls.caPem };
  }
  const pki = await createSandboxPki({
    servername,
    altNames: ['localhost', '127.0.0.1', '::1'],
    ...(effects.certificate ? { fault: effects.certificate } : {}),
    ...(options.keyKind ? { keyKind: options.keyKind } : {}),
  });
  return { credentials: pki.server, caPem: pki.caPem };
}
