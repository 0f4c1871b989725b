import { SmtpClient } from '../../drivers/smtp/client.js';
import type { SmtpCapabilities } from '../../drivers/smtp/capabilities.js';
import { hasCapability } from '../../drivers/smtp/capabilities.js';
import type { ProbeInput } from './probe.js';
import type { ServerCapabilities } from './environment.js';

/** EHLO keywords as a set: `PIPELINING`, `SIZE`, and `AUTH=PLAIN` for each mechanism. */
export function smtpCapabilitySet(caps: SmtpCapabilities | undefined): Set<string> {
  const out = new Set<string>();
  if (!caps) return out;
  for (const [keyword, params] of caps.keywords) {
    out.add(keyword);
    if (keyword === 'AUTH') for (const m of params) out.add(`AUTH=${m.toUpperCase()}`);
  }
  return out;
}

function lines(caps: SmtpCapabilities | undefined, prefix: string): string[] {
  if (!caps) return [];
  return [...caps.keywords].map(([k, p]) => `${prefix}${[k, ...p].join(' ')}`);
}

/** Greeting, EHLO before and (when offered) after STARTTLS, then QUIT. */
export async function probeSmtp(input: ProbeInput): Promise<ServerCapabilities> {
  const t = input.target;
  const client = await SmtpClient.connect({ host: t.host, port: t.port, implicitTls: t.implicitTls, tls: input.tls, timeouts: input.timeouts, ...(input.signal ? { signal: input.signal } : {}) });
  try {
    const greeting = client.greeting ? client.greeting.lines.map((l) => `${client.greeting!.code} ${l}`).join('\n') : '';
    if (client.greeting?.code !== 220) return { greeting, plain: new Set(), tls: undefined, authenticated: undefined, list: [] };
    await client.ehlo(input.clientName);
    const before = client.tls ? undefined : client.capabilities;
    let after = client.tls ? client.capabilities : undefined;
    if (!client.tls && hasCapability(client.capabilities, 'STARTTLS') && input.starttls !== 'never') {
      const res = await client.starttls();
      if (res.tls) {
        await client.ehlo(input.clientName);
        after = client.capabilities;
      }
    }
    await client.quit();
    return {
      greeting,
      plain: smtpCapabilitySet(before),
      tls: after ? smtpCapabilitySet(after) : undefined,
      authenticated: undefined,
      list: [...lines(before, ''), ...lines(after, before ? 'after TLS: ' : '')],
    };
  } finally {
    client.destroy();
  }
}
