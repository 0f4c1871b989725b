import { ImapClient } from '../../drivers/imap/client.js';
import { responseText } from '../match/imap.js';
import { cleartextLoginRefusal, type ServerCapabilities } from './environment.js';
import type { ProbeInput } from './probe.js';

const upper = (names: readonly string[] | undefined): Set<string> => new Set((names ?? []).map((n) => n.toUpperCase()));

/** Greeting, CAPABILITY before TLS, after STARTTLS, and after login when there is one. */
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
    await client.logout().catch(() => undefined);
    const show = (label: string, names: string[] | undefined): string[] => (names && names.length > 0 ? [`${label}${names.join(' ')}`] : []);
    return {
      greeting,
      plain: upper(plain),
      tls: tls ? upper(tls) : undefined,
      authenticated: authenticated ? upper(authenticated) : undefined,
      list: [...show('', plain), ...show('after TLS: ', tls), ...show('after login: ', authenticated)],
    };
  } finally {
    client.destroy();
  }
}
