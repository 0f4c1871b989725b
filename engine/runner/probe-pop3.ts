import { Pop3Client } from '../../drivers/pop3/client.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { ServerCapabilities } from './environment.js';
import type { ProbeInput } from './probe.js';

function capaSet(caps: Map<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (const [k, args] of caps) {
    out.add(k.toUpperCase());
    if (k.toUpperCase() === 'SASL') for (const m of args) out.add(`SASL=${m.toUpperCase()}`);
  }
  return out;
}

function capaLines(caps: Map<string, string[]>, prefix: string): string[] {
  return [...caps].map(([k, a]) => `${prefix}${[k, ...a].join(' ')}`);
}

/** RFC 2449 §6.9 `IMPLEMENTATION text`: what the server says it is (after TLS when both were read). */
function implementation(...phases: (Map<string, string[]> | undefined)[]): string | undefined {
  for (const caps of phases) {
    for (const [k, args] of caps ?? []) {
      const text = args.join(' ').trim();
      if (k.toUpperCase() === 'IMPLEMENTATION' && text !== '') return text.slice(0, 200);
    }
  }
  return undefined;
}

/** Greeting, CAPA before TLS and after STLS. */
export async function probePop3(input: ProbeInput): Promise<ServerCapabilities> {
  const t = input.target;
  const client = await Pop3Client.connect({ host: t.host, port: t.port, implicitTls: t.implicitTls, tls: input.tls, timeouts: input.timeouts, ...(input.signal ? { signal: input.signal } : {}) });
  try {
    const greeting = renderWireText(client.greeting.raw);
    if (!client.greeting.ok) return { greeting, plain: new Set(), tls: undefined, authenticated: undefined, list: [] };
    const first = (await client.capa()).capabilities;
    let plain = new Map<string, string[]>();
    let tls: Map<string, string[]> | undefined;
    if (client.tls) tls = first;
    else {
      plain = first;
      if (plain.has('STLS') && input.starttls !== 'never') {
        const res = await client.stls();
        if (res.upgraded) tls = (await client.capa()).capabilities;
      }
    }
    await client.quit().catch(() => undefined);
    const said = implementation(tls, plain);
    return {
      greeting,
      plain: capaSet(plain),
      tls: tls ? capaSet(tls) : undefined,
      authenticated: undefined,
      list: [...capaLines(plain, ''), ...(tls ? capaLines(tls, client.tls && plain.size > 0 ? 'after TLS: ' : '') : [])],
      ...(said === undefined ? {} : { implementation: said }),
    };
  } finally {
    client.destroy();
  }
}
