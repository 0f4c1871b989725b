/**
 * The runner's promises to the user: a check's budget closes everything it opened; no
 * credentials in cleartext unless allowed; slowness is inconclusive, not a failure.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import type { StartTlsPolicy } from '../../engine/runner/environment.js';
import { parseSuite } from '../../engine/suite/loader.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function suite(checks: string): ReturnType<typeof parseSuite> {
  return parseSuite(`suite: smtp/safety\nprotocol: smtp\nchecks:\n${checks}`, 'safety.yaml');
}

async function run(checksYaml: string, options: { starttls?: StartTlsPolicy; stepTimeoutMs?: number } = {}) {
  return runChecks({
    targets: [parseTarget(`smtp://127.0.0.1:${server!.port}`)],
    checks: suite(checksYaml).checks,
    tls: {},
    starttls: options.starttls ?? 'optional',
    timeouts: { greetingMs: 5000 },
    stepTimeoutMs: options.stepTimeoutMs ?? 2000,
    fixtures: { credentials: { user: 'u@x.test', password: secret('s3cret-pw') }, rcpt: undefined, mailbox: 'INBOX', clientName: 'c.test' },
    signal: undefined,
    concurrency: 2,
  });
}

/** A plaintext SMTP server (no STARTTLS) that records every line and open socket. */
function plainSmtp(lines: string[], sockets: Set<Socket>, greetDelayMs = 0, noopDelayMs = 0) {
  return async (s: Socket, ctx: Parameters<Parameters<typeof scriptServer>[0]>[1]): Promise<void> => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    if (greetDelayMs > 0) await ctx.sleep(greetDelayMs);
    if (s.destroyed) return;
    s.write('220 plain.test ESMTP\r\n');
    for (;;) {
      const line = await ctx.readLine(s);
      lines.push(line);
      if (/^EHLO/i.test(line)) s.write('250-plain.test\r\n250 AUTH PLAIN\r\n');
      else if (/^NOOP/i.test(line)) {
        if (noopDelayMs > 0) await ctx.sleep(noopDelayMs);
        s.write('250 ok\r\n');
      } else if (/^AUTH/i.test(line)) s.write('235 ok\r\n');
      else s.write('250 ok\r\n');
    }
  };
}

const PROBE_AND_GREETING = `  - id: smtp.safety.greeting
    title: greeting
    ref: x
    level: MUST
    timeout: 1s
    steps:
      - expect: { code: 220 }
`;

describe('check budget', () => {
  it('closes a connection that was still opening when the budget ran out', async () => {
    const lines: string[] = [];
    const sockets = new Set<Socket>();
    let connections = 0;
    server = await scriptServer(async (s, ctx) => {
      connections++;
      // The probe connection greets at once; the check's connection only after 1.5 s.
      await plainSmtp(lines, sockets, connections === 1 ? 0 : 1500)(s, ctx);
    });
    const out = await run(PROBE_AND_GREETING);
    expect(out.checks.map((c) => [c.status, c.message])).toEqual([['inconclusive', expect.stringMatching(/did not finish within 1000 ms/)]]);
    await new Promise((r) => setTimeout(r, 100));
    expect(sockets.size).toBe(0);
  });
});

describe('credentials', () => {
  const AUTHENTICATED = `  - id: smtp.safety.auth
    title: needs a login
    ref: x
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: NOOP
        expect: { code: 250 }
`;

  it.each<[StartTlsPolicy, RegExp]>([
    ['required', /STARTTLS is not offered/],
    ['optional', /does not send credentials in cleartext/],
  ])('are never sent in cleartext with --starttls %s', async (policy, message) => {
    const lines: string[] = [];
    server = await scriptServer(plainSmtp(lines, new Set()));
    const out = await run(AUTHENTICATED, { starttls: policy });
    expect(out.checks.map((c) => c.status)).toEqual(['inconclusive']);
    expect(out.checks[0]!.message).toMatch(message);
    expect(lines.some((l) => /^AUTH/i.test(l))).toBe(false);
  });

  it('are sent in cleartext only with --starttls never', async () => {
    const lines: string[] = [];
    server = await scriptServer(plainSmtp(lines, new Set()));
    const out = await run(AUTHENTICATED, { starttls: 'never' });
    expect(out.checks.map((c) => c.status)).toEqual(['pass']);
    expect(lines.some((l) => /^AUTH PLAIN /i.test(l))).toBe(true);
  });
});

describe('slowness', () => {
  it('a reply later than the step deadline is inconclusive, not fail', async () => {
    server = await scriptServer(plainSmtp([], new Set(), 0, 600));
    const out = await run(`  - id: smtp.safety.noop
    title: noop
    ref: x
    level: MUST
    steps:
      - send: NOOP
        expect: { code: 250 }
        timeout: 200ms
`);
    expect(out.checks.map((c) => c.status)).toEqual(['inconclusive']);
    expect(out.checks[0]!.message).toMatch(/may just be slow/);
  });
});
