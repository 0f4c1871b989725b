import { ImapClient } from '../../drivers/imap/client.js';
import { responseText } from '../match/imap.js';
import { cleartextLoginRefusal, type ServerCapabilities } from './environment.js';
import type { ProbeInput } from './probe.js';

const upper = (names: readonly string[] | undefined): Set<string> => new Set((names ?? []).map((n) => n.toUpperCase()));

/** Longest implementation text kept from an ID response (RFC 2971 §3.3 allows 1024-octet values). */
const MAX_IMPLEMENTATION = 200;

/**
 * What `* ID (...)` says the server is: "name version" (RFC 2971 §3.3 field names, compared
 * without case), else the vendor; undefined for `ID NIL` or a list without either.
 */
export function implementationFromId(params: ReadonlyMap<string, string | null> | null): string | undefined {
  if (!params) return undefined;
  const field = (name: string): string | undefined => {
    for (const [k, v] of params) if (k.toLowerCase() === name && v !== null && v.trim() !== '') return v.trim();
    return undefined;
  };
  const name = field('name') ?? field('vendor');
  const text = [name, field('version')].filter((p) => p !== undefined).join(' ');
  return text === '' ? undefined : text.slice(0, MAX_IMPLEMENTATION);
}

/**
 * `ID NIL` once, when the server announces ID: it tells nothing about the client and asks the
 * server what it is (RFC 2971 §3.1). Any failure only means the report does not say.
 */
async function askId(client: ImapClient): Promise<string | undefined> {
  try {
    const res = await client.command('ID', ['NIL']);
    if (res.status !== 'OK') return undefined;
    const id = res.untagged.find((r) => r.kind === 'id');
    return id?.kind === 'id' ? implementationFromId(id.params) : undefined;
  } catch {
    return undefined;
  }
}

/** Greeting, CAPABILITY before TLS, after STARTTLS, and after login when there is one; ID when announced. */
export async function probeImap(input: ProbeInput): Promise<ServerCapabilities> {
  const t = input.target;
  const client = await ImapClient.connect({ host: t.host, port: t.port, implicitTls: t.implicitTls, tls: input.tls, timeouts: input.timeouts, ...(input.signal ? { signal: input.signal } : {}) });
  try {
    const greeting = responseText(client.greeting);
    if (client.greeting.status === 'BYE') return { greeting, plain: new Set(), tls: undefined, authenticated: undefined, list: [] };
    const first = (await client.capability()).capabilities ?? [];
    let plain: string[] = [];
    let tls: string[] | undefined;
    if (client.tls) tls = first;
    else {
      plain = first;
      if (upper(plain).has('STARTTLS') && input.starttls !== 'never') {
        const res = await client.starttls();
        if (res.upgraded) tls = (await client.capability()).capabilities ?? [];
      }
    }
    let authenticated: string[] | undefined;
    const creds = input.credentials;
    // Log in only where a check would (TLS, or plaintext the user allowed with --starttls never).
    if (creds && client.greeting.status !== 'PREAUTH' && cleartextLoginRefusal(client.tls !== undefined, input.starttls) === undefined && (client.tls || !upper(plain).has('LOGINDISABLED'))) {
      const res = await client.login(creds.user, creds.password);
      if (res.status === 'OK') authenticated = (await client.capability()).capabilities ?? [];
    }
    // Last, so a server that chokes on ID has already told everything else.
    const implementation = upper(authenticated ?? tls ?? plain).has('ID') ? await askId(client) : undefined;
    await client.logout().catch(() => undefined);
    const show = (label: string, names: string[] | undefined): string[] => (names && names.length > 0 ? [`${label}${names.join(' ')}`] : []);
    return {
      greeting,
      plain: upper(plain),
      tls: tls ? upper(tls) : undefined,
      authenticated: authenticated ? upper(authenticated) : undefined,
      list: [...show('', plain), ...show('after TLS: ', tls), ...show('after login: ', authenticated)],
      ...(implementation === undefined ? {} : { implementation }),
    };
  } finally {
    client.destroy();
  }
}
