/**
 * The options every command that talks to servers shares: trust (--ca, --servername,
 * --insecure), STARTTLS policy, deadlines, credentials and fixtures. Credentials come from
 * the environment or a file, never from argv (DESIGN.md "Targets and credentials").
 */
import { readFile } from 'node:fs/promises';
import { MailprobeError } from '../drivers/errors.js';
import { secret, type Secret } from '../drivers/redact.js';
import { uniformTimeouts, type Timeouts } from '../drivers/timeouts.js';
import type { TlsClientOptions } from '../drivers/tls/tls-options.js';
import type { StartTlsPolicy } from '../engine/runner/environment.js';
import { parseChoice, parseDuration } from './args.js';
import type { CliIo } from './io.js';

/** parseArgs option declarations shared by check, run and diagnose. */
export const CONNECTION_OPTIONS = {
  servername: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  starttls: { type: 'string' },
  timeout: { type: 'string' },
  user: { type: 'string' },
  'password-env': { type: 'string' },
  'password-file': { type: 'string' },
} as const;

export interface ConnectionSettings {
  readonly tls: TlsClientOptions;
  readonly starttls: StartTlsPolicy;
  readonly timeouts: Partial<Timeouts>;
  readonly stepTimeoutMs: number;
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
}

export interface ConnectionValues {
  servername?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
  starttls?: string | undefined;
  timeout?: string | undefined;
  user?: string | undefined;
  'password-env'?: string | undefined;
  'password-file'?: string | undefined;
}

export async function resolveConnection(values: ConnectionValues, io: CliIo, defaults: { timeoutMs: number; starttls: StartTlsPolicy }): Promise<ConnectionSettings> {
  const timeoutMs = values.timeout === undefined ? defaults.timeoutMs : parseDuration('--timeout', values.timeout);
  let ca: string | undefined;
  if (values.ca !== undefined) {
    try {
      ca = await readFile(values.ca, 'utf8');
    } catch (err) {
      throw new MailprobeError('ECONFIG', `--ca ${values.ca}: cannot read (${(err as { code?: string }).code ?? String(err)})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new MailprobeError('ECONFIG', `--ca ${values.ca}: no PEM certificate in the file`);
  }
  return {
    tls: {
      ...(values.servername ? { servername: values.servername } : {}),
      ...(ca ? { ca } : {}),
      ...(values.insecure ? { insecure: true } : {}),
    },
    starttls: values.starttls === undefined ? defaults.starttls : parseChoice('--starttls', values.starttls, ['required', 'optional', 'never'] as const),
    timeouts: uniformTimeouts(timeoutMs),
    stepTimeoutMs: timeoutMs,
    credentials: await resolveCredentials(values, io),
  };
}

async function resolveCredentials(values: ConnectionValues, io: CliIo): Promise<ConnectionSettings['credentials']> {
  const user = values.user;
  const envName = values['password-env'];
  const file = values['password-file'];
  if (user === undefined) {
    if (envName !== undefined || file !== undefined) throw new MailprobeError('ECONFIG', '--password-env/--password-file need --user');
    return undefined;
  }
  if (envName !== undefined && file !== undefined) throw new MailprobeError('ECONFIG', 'give either --password-env or --password-file, not both');
  let password: string | undefined;
  if (file !== undefined) {
    try {
      password = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new MailprobeError('ECONFIG', `--password-file ${file}: cannot read (${(err as { code?: string }).code ?? String(err)})`);
    }
  } else {
    const name = envName ?? 'MAILPROBE_PASSWORD';
    password = io.env[name];
    if (password === undefined || password === '') {
      throw new MailprobeError('ECONFIG', `--user ${user} needs a password: set the environment variable ${name}${envName ? '' : ' (or name another with --password-env)'}`);
    }
  }
  return { user, password: secret(password) };
}
