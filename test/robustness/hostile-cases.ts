/**
 * The hostile-server matrix of issue 9: one scripted server per fault, each speaking just
 * enough SMTP or IMAP to get the client to the point where the fault bites. The scripts run
 * in a child process (hostile-child.ts), so the test process holds only client-side sockets,
 * timers and memory: what the leak and memory assertions measure.
 */
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { issue, type Issued } from '../helpers/certs.js';
import type { HostileContext, HostileScript, Stream } from './hostile-server.js';

export type CaseProtocol = 'smtp' | 'imap';

export interface CaseMeta {
  readonly name: string;
  readonly protocol: CaseProtocol;
  /** URL scheme the client is pointed at. */
  readonly scheme: 'smtp' | 'smtps' | 'imap';
  /** Extra bench flags (e.g. a message big enough to fill a TCP window). */
  readonly benchArgs?: readonly string[];
  /** Server allows half-open sockets (the half-close case). */
  readonly allowHalfOpen?: boolean;
  /** check/diagnose/bench need --ca ROOT and --servername (the 50-certificate chain). */
  readonly trustRoot?: boolean;
  /** What the fault is, for docs and failure messages. */
  readonly what: string;
}

export const CASES: readonly CaseMeta[] = [
  { name: 'no-greeting', protocol: 'smtp', scheme: 'smtp', what: 'accepts the connection and never says anything' },
  { name: 'greeting-after-30s', protocol: 'smtp', scheme: 'smtp', what: 'greets 30 s after connect (past the 1 s deadline)' },
  { name: 'drip-feed', protocol: 'smtp', scheme: 'smtp', what: 'every reply one byte per second' },
  { name: 'endless-multiline', protocol: 'smtp', scheme: 'smtp', what: 'EHLO answered by 250- lines that never end' },
  { name: 'line-10mb', protocol: 'smtp', scheme: 'smtp', what: 'a 10 MB greeting line without CRLF' },
  { name: 'nul-8bit-garbage', protocol: 'smtp', scheme: 'smtp', what: 'NUL, control and 8-bit bytes in the greeting and every reply' },
  { name: 'invalid-codes', protocol: 'smtp', scheme: 'smtp', what: 'reply codes 999, 2500, 25, none; mixed codes in one multi-line reply' },
  { name: 'reset-after-n', protocol: 'smtp', scheme: 'smtp', what: 'TCP RST after 64 bytes of replies (mid-EHLO)' },
  { name: 'half-close', protocol: 'smtp', scheme: 'smtp', allowHalfOpen: true, what: 'greets, sends FIN, keeps reading, never closes' },
  { name: 'reply-421-always', protocol: 'smtp', scheme: 'smtp', what: '421 to every command, connection left open' },
  { name: 'never-reads', protocol: 'smtp', scheme: 'smtp', benchArgs: ['--size', '16m'], what: 'after 354 stops reading: a 16 MB DATA fills the TCP window' },
  { name: 'starttls-trailing', protocol: 'smtp', scheme: 'smtp', what: 'bytes after the STARTTLS go-ahead (injected 250 lines)' },
  { name: 'starttls-stall', protocol: 'smtp', scheme: 'smtp', what: 'STARTTLS go-ahead, then the handshake never answers' },
  { name: 'tls-stall', protocol: 'smtp', scheme: 'smtps', what: 'implicit TLS port that reads the ClientHello and never answers' },
  { name: 'tls-alert', protocol: 'smtp', scheme: 'smtps', what: 'answers the ClientHello with a fatal handshake_failure alert' },
  { name: 'chain-50', protocol: 'smtp', scheme: 'smtps', trustRoot: true, what: 'implicit TLS presenting a chain of 50 certificates' },
  { name: 'imap-literal-2gb', protocol: 'imap', scheme: 'imap', what: 'every command answered with a literal announcing 2 GB' },
  { name: 'imap-close-mid-literal', protocol: 'imap', scheme: 'imap', what: 'closes 10 bytes into a 64-byte literal' },
  { name: 'imap-untagged-flood', protocol: 'imap', scheme: 'imap', what: '100 000 untagged responses before every tagged OK' },
];

// ---------------------------------------------------------------- SMTP

interface SmtpHooks {
  /** Written instead of each reply (default: write it). */
  readonly write?: (stream: Stream, text: string, ctx: HostileContext) => Promise<boolean>;
  /** Handle a command instead of the default; return false to end the session. */
  readonly command?: (verb: string, line: string, stream: Stream, ctx: HostileContext) => Promise<boolean | undefined>;
  readonly starttls?: SecureContextOptions;
  /** What STARTTLS is answered with (default a plain go-ahead). */
  readonly goAhead?: string;
  readonly greeting?: string;
}

const EHLO_CAPS = ['PIPELINING', '8BITMIME', 'SIZE 100000000', 'AUTH PLAIN LOGIN'];

/** A plain SMTP conversation with hooks where the fault goes in. */
async function smtpSession(socket: Socket, ctx: HostileContext, hooks: SmtpHooks = {}, initial?: Stream): Promise<void> {
  let stream: Stream = initial ?? socket;
  let tls = initial !== undefined && initial !== socket;
  const write = (text: string): Promise<boolean> => (hooks.write ? hooks.write(stream, text, ctx) : ctx.send(stream, text));
  if (!(await write(`${hooks.greeting ?? '220 hostile.test ESMTP'}\r\n`))) return;
  for (;;) {
    const line = await ctx.line(stream);
    if (line === null) return;
    const verb = (line.split(' ')[0] ?? '').toUpperCase();
    if (hooks.command) {
      const handled = await hooks.command(verb, line, stream, ctx);
      if (handled === false) return;
      if (handled === true) continue;
    }
    if (verb === 'EHLO') {
      const caps = [...EHLO_CAPS, ...(hooks.starttls && !tls ? ['STARTTLS'] : [])];
      await write(['250-hostile.test', ...caps.map((c, i) => `250${i === caps.length - 1 ? ' ' : '-'}${c}`)].join('\r\n') + '\r\n');
    } else if (verb === 'STARTTLS' && hooks.starttls && !tls) {
      await write(hooks.goAhead ?? '220 2.0.0 go ahead\r\n');
      ctx.detach(stream);
      stream = ctx.startTls(socket, hooks.starttls);
      tls = true;
    } else if (verb === 'DATA') {
      await write('354 go ahead\r\n');
      for (;;) {
        const body = await ctx.line(stream);
        if (body === null) return;
        if (body === '.') break;
      }
      await write('250 2.0.0 queued\r\n');
    } else if (verb === 'QUIT') {
      await write('221 2.0.0 bye\r\n');
      stream.end();
      return;
    } else if (['HELO', 'MAIL', 'RCPT', 'RSET', 'NOOP'].includes(verb)) await write('250 2.0.0 ok\r\n');
    else if (verb === 'AUTH') {
      // Any login is fine: the fault is elsewhere. PLAIN with or without an initial response, LOGIN.
      const words = line.split(' ');
      const prompts = words[1]?.toUpperCase() === 'LOGIN' ? 2 - (words.length > 2 ? 1 : 0) : words.length > 2 ? 0 : 1;
      for (let i = 0; i < prompts; i++) {
        await write('334 \r\n');
        if ((await ctx.line(stream)) === null) return;
      }
      await write('235 2.7.0 ok\r\n');
    }
    else await write('502 5.5.2 not implemented\r\n');
  }
}

/** Keep reading (and dropping) what the client sends, never answer. */
function swallow(stream: Stream): void {
  stream.on('data', () => {});
}

async function flood(stream: Stream, ctx: HostileContext, next: (i: number) => string): Promise<void> {
  for (let i = 0; !ctx.closing; i++) {
    let chunk = '';
    for (let j = 0; j < 1000; j++) chunk += next(i * 1000 + j);
    if (!(await ctx.send(stream, chunk))) return;
  }
}

const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 0x41);

function garbage(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16 & 0xff;
  }
  // Make sure the interesting ones are there: NUL, ESC (terminal control), DEL, 8-bit, bare CR.
  b.set([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x7f, 0xff, 0xfe, 0x80, 0x0d, 0x00], 0);
  return b;
}

export interface ServerSetup {
  readonly script: HostileScript;
  readonly allowHalfOpen?: boolean;
}

/** 50 certificates: leaf ← 48 intermediates ← root. The root's PEM is what --ca gets. */
export function chainOf50(): { root: Issued; leaf: Issued; chainPem: string } {
  const root = issue({ cn: 'hostile root', ca: true });
  const cas: Issued[] = [root];
  for (let i = 1; i < 49; i++) cas.push(issue({ cn: `hostile intermediate ${i}`, ca: true, issuer: cas[i - 1]! }));
  const leaf = issue({ cn: 'mail.test', san: ['mail.test', '127.0.0.1'], issuer: cas[cas.length - 1]! });
  const chainPem = leaf.certPem + cas.slice(1).reverse().map((c) => c.certPem).join('') + root.certPem;
  return { root, leaf, chainPem };
}

export function serverFor(name: string, tlsMaterial: { key: string; cert: string }, chain50?: { key: string; cert: string }): ServerSetup {
  const tls: SecureContextOptions = { key: tlsMaterial.key, cert: tlsMaterial.cert };
  switch (name) {
    case 'no-greeting':
      return { script: (s) => swallow(s) };
    case 'greeting-after-30s':
      return {
        script: async (s, ctx) => {
          swallow(s);
          await ctx.sleep(30_000);
          s.removeAllListeners('data');
          await smtpSession(s, ctx);
        },
      };
    case 'drip-feed':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            write: async (stream, text, c) => {
              for (const ch of text) {
                if (!(await c.send(stream, ch))) return false;
                await c.sleep(1000);
              }
              return true;
            },
          }),
      };
    case 'endless-multiline':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            command: async (verb, _line, stream, c) => {
              if (verb !== 'EHLO' && verb !== 'HELO') return undefined;
              await flood(stream, c, (i) => `250-hostile.test line ${i} of a reply that never ends\r\n`);
              return false;
            },
          }),
      };
    case 'line-10mb':
      return {
        script: async (s, ctx) => {
          swallow(s);
          if (await ctx.send(s, '220 ')) await ctx.send(s, TEN_MB);
        },
      };
    case 'nul-8bit-garbage':
      return {
        script: (s, ctx) => {
          let n = 0;
          return smtpSession(s, ctx, {
            greeting: `220 hostile\u0000\u00ff\u00fe\u0080\u001b[31m ready`,
            write: (stream, text, c) => c.send(stream, Buffer.from(text, 'latin1')),
            command: async (verb, _line, stream, c) => {
              if (verb === 'QUIT') return undefined;
              n++;
              if (verb === 'EHLO') {
                await c.send(stream, Buffer.concat([Buffer.from('250-'), garbage(200, n), Buffer.from('\r\n250 \u0000\u00ff\r\n', 'latin1')]));
                return true;
              }
              await c.send(stream, Buffer.concat([garbage(300, n), Buffer.from('\r\n')]));
              return true;
            },
          });
        },
      };
    case 'invalid-codes':
      return {
        script: (s, ctx) => {
          const replies = ['999 strange\r\n', '2500 too long a code\r\n', '25 short\r\n', 'hello no code\r\n', '250-first\r\n550 mixed codes\r\n', '-250 negative\r\n', '2x0 letters\r\n'];
          let n = 0;
          return smtpSession(s, ctx, {
            command: async (verb, _line, stream, c) => {
              if (verb === 'EHLO') await c.send(stream, '250-hostile.test\r\n999 PIPELINING\r\n');
              else await c.send(stream, replies[n++ % replies.length]!);
              return true;
            },
          });
        },
      };
    case 'reset-after-n':
      return {
        script: (s, ctx) => {
          let sent = 0;
          return smtpSession(s, ctx, {
            write: async (stream, text, c) => {
              const room = 64 - sent;
              if (text.length < room) {
                sent += text.length;
                return c.send(stream, text);
              }
              await c.send(stream, text.slice(0, room));
              s.resetAndDestroy();
              return false;
            },
          });
        },
      };
    case 'half-close':
      return {
        allowHalfOpen: true,
        script: async (s, ctx) => {
          await ctx.send(s, '220 hostile.test ESMTP\r\n');
          s.end();
          swallow(s);
        },
      };
    case 'reply-421-always':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            command: async (_verb, _line, stream, c) => {
              await c.send(stream, '421 4.3.2 service shutting down, try again later\r\n');
              return true;
            },
          }),
      };
    case 'never-reads':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            command: async (verb, _line, stream, c) => {
              if (verb !== 'DATA') return undefined;
              await c.send(stream, '354 go ahead\r\n');
              c.detach(stream);
              stream.pause();
              // Full TCP window: the client's writes back up; nothing more is read or said.
              await new Promise<void>(() => {});
              return false;
            },
          }),
      };
    case 'starttls-trailing':
      return { script: (s, ctx) => smtpSession(s, ctx, { starttls: tls, goAhead: '220 2.0.0 go ahead\r\n250-INJECTED\r\n250 AUTH PLAIN\r\n' }) };
    case 'starttls-stall':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            starttls: tls,
            command: async (verb, _line, stream, c) => {
              if (verb !== 'STARTTLS') return undefined;
              await c.send(stream, '220 2.0.0 go ahead\r\n');
              c.detach(stream);
              swallow(stream);
              return false;
            },
          }),
      };
    case 'tls-stall':
      return { script: (s) => swallow(s) };
    case 'tls-alert':
      return {
        script: (s) => {
          s.once('data', () => {
            // TLS record: alert(21), TLS 1.2, length 2, fatal(2) handshake_failure(40).
            s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
          });
        },
      };
    case 'chain-50':
      return {
        script: (s, ctx) => {
          if (!chain50) throw new Error('chain-50 needs its chain');
          const t = ctx.startTls(s, { key: chain50.key, cert: chain50.cert });
          return smtpSession(s, ctx, {}, t);
        },
      };
    case 'imap-literal-2gb':
      return { script: (s, ctx) => imapSession(s, ctx, async (tag, stream, c) => {
        void tag;
        await c.send(stream, `* 1 FETCH (BODY[] {2147483648}\r\n${'x'.repeat(4096)}`);
        swallow(stream);
        return false;
      }) };
    case 'imap-close-mid-literal':
      return { script: (s, ctx) => imapSession(s, ctx, async (_tag, stream, c) => {
        await c.send(stream, '* CAPABILITY {64}\r\nIMAP4rev1 ');
        stream.end();
        return false;
      }) };
    case 'imap-untagged-flood':
      return { script: (s, ctx) => imapSession(s, ctx, async (tag, stream, c, verb) => {
        for (let k = 0; k < 100; k++) {
          let chunk = '';
          for (let j = 0; j < 1000; j++) chunk += `* OK flood ${k * 1000 + j}\r\n`;
          if (!(await c.send(stream, chunk))) return false;
        }
        if (verb === 'LOGOUT') {
          await c.send(stream, `* BYE bye\r\n${tag} OK bye\r\n`);
          stream.end();
          return false;
        }
        if (verb === 'SELECT' || verb === 'EXAMINE') await c.send(stream, '* 1 EXISTS\r\n* FLAGS (\\Seen)\r\n');
        if (verb === 'FETCH' || verb === 'UID') await c.send(stream, '* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n');
        if (verb === 'SEARCH') await c.send(stream, '* SEARCH 1\r\n');
        return c.send(stream, `${tag} OK done\r\n`);
      }) };
    // Not matrix rows: targets for the interruption and secrets tests.
    case 'slow-smtp':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            write: async (stream, text, c) => {
              await c.sleep(300);
              return c.send(stream, text);
            },
          }),
      };
    case 'smtp-auth-hang':
      return {
        script: (s, ctx) =>
          smtpSession(s, ctx, {
            command: async (verb, _line, stream) => {
              if (verb !== 'AUTH') return undefined;
              swallow(stream);
              ctx.detach(stream);
              return false;
            },
          }),
      };
    case 'imap-login-hang':
      return {
        script: (s, ctx) =>
          imapSession(s, ctx, async (tag, stream, c, verb) => {
            if (verb === 'CAPABILITY') return c.send(stream, `* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
            if (verb === 'LOGIN' || verb === 'AUTHENTICATE') {
              c.detach(stream);
              swallow(stream);
              return false;
            }
            return c.send(stream, `${tag} BAD not now\r\n`);
          }),
      };
    default:
      throw new Error(`no hostile server "${name}"`);
  }
}

/** Greeting, then every tagged command goes to the fault (return false to stop). */
async function imapSession(
  socket: Socket,
  ctx: HostileContext,
  onCommand: (tag: string, stream: Stream, ctx: HostileContext, verb: string) => Promise<boolean>,
): Promise<void> {
  if (!(await ctx.send(socket, '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN LITERAL+] hostile IMAP ready\r\n'))) return;
  for (;;) {
    const line = await ctx.line(socket);
    if (line === null) return;
    const [tag = '*', verb = ''] = line.split(' ');
    if (!(await onCommand(tag, socket, ctx, verb.toUpperCase()))) return;
  }
}
