/**
 * Scripted mail servers for diagnose tests, one fault each: a line-based SMTP, IMAP or POP3
 * responder on test/helpers/script-server.ts, with STARTTLS, implicit TLS, and the faults real
 * servers will not stage (silence, hang-ups, a plaintext buffer kept across STARTTLS).
 */
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { scriptServer, type ScriptContext, type ScriptServer } from '../helpers/script-server.js';
import { StarttlsConnection, starttlsGoAhead, type MailProtocol } from '../helpers/starttls-upgrade.js';

export { labCert } from '../helpers/starttls-upgrade.js';

export interface FaultScript {
  readonly protocol?: MailProtocol;
  /** The first line(s); null: never greet. */
  readonly greeting?: string | null;
  /** Lines of a multi-line greeting sent before `greeting`, which follows after this many ms (postscreen). */
  readonly greetingDelay?: { readonly first: string; readonly ms: number };
  /** TLS from the first byte with this certificate. */
  readonly implicit?: SecureContextOptions;
  /** STARTTLS/STLS with this certificate (offered in the capabilities unless `offer` says not). */
  readonly starttls?: SecureContextOptions;
  /** Capability lines before TLS (default: STARTTLS when `starttls` is set). */
  readonly caps?: readonly string[];
  /** Capability lines inside TLS (default: the same minus STARTTLS, plus `AUTH PLAIN LOGIN` for SMTP). */
  readonly capsTls?: readonly string[];
  /** Reply to STARTTLS instead of going ahead (e.g. `454 4.7.0 TLS not available`). */
  readonly refuseStarttls?: string;
  /** Say go ahead to STARTTLS, then hang up instead of a handshake (a TLS setup that crashes). */
  readonly dropAfterGoAhead?: boolean;
  /** Keep the plaintext read buffer across the TLS upgrade and answer what was in it (CVE-2011-0411). */
  readonly keepBuffer?: boolean;
  /** Answer lines that came with STARTTLS in plaintext after the go-ahead, this many ms later. */
  readonly answerInPlaintextAfterMs?: number;
  readonly closeAfterGreeting?: boolean;
  /** Hang up when this verb arrives. */
  readonly closeOn?: string;
  /** SMTP: answer EHLO and HELO with this instead (e.g. a HELO-name policy). */
  readonly rejectEhlo?: string;
  /** Accept any login. */
  readonly acceptLogin?: boolean;
}

const DEFAULT_GREETING = { smtp: '220 fault.test ESMTP scripted', imap: '* OK scripted IMAP ready', pop3: '+OK scripted POP3 ready' } as const;

/** `heard` collects every line clients sent, plaintext or TLS, in order. */
export function faultServer(script: FaultScript, heard: string[] = []): Promise<ScriptServer> {
  return scriptServer((socket, ctx) => serve(socket, ctx, script, heard));
}

async function serve(socket: Socket, ctx: ScriptContext, script: FaultScript, heard: string[]): Promise<void> {
  const protocol = script.protocol ?? 'smtp';
  const first = script.implicit ? ctx.startTls(socket, script.implicit) : socket;
  const greeting = script.greeting === undefined ? DEFAULT_GREETING[protocol] : script.greeting;
  if (greeting === null) return;
  const conn = new StarttlsConnection(ctx, socket, first);
  const send = (text: string): void => conn.send(text);
  if (script.greetingDelay) {
    send(script.greetingDelay.first);
    await ctx.sleep(script.greetingDelay.ms);
  }
  send(greeting);
  if (script.closeAfterGreeting) {
    conn.stream.end();
    return;
  }
  for (;;) {
    const line = await conn.next();
    if (line === null) return;
    heard.push(line);
    const words = line.split(' ');
    const tag = protocol === 'imap' ? `${words.shift() ?? '*'} ` : '';
    const verb = (words[0] ?? '').toUpperCase();
    if (script.closeOn !== undefined && verb === script.closeOn) {
      conn.stream.destroy();
      return;
    }
    if (verb === 'STARTTLS' || verb === 'STLS') {
      if (script.refuseStarttls !== undefined || script.starttls === undefined || conn.tls) {
        send(`${tag}${script.refuseStarttls ?? (protocol === 'smtp' ? '502 5.5.1 not here' : protocol === 'imap' ? 'BAD not here' : '-ERR not here')}`);
        continue;
      }
      send(starttlsGoAhead(protocol, tag));
      const rest = conn.detach();
      if (script.dropAfterGoAhead) {
        socket.destroy();
        return;
      }
      if (script.answerInPlaintextAfterMs !== undefined && rest.trim() !== '') {
        const late = rest.trim().split(/\r?\n/).flatMap((l) => answer(protocol, (l.split(' ')[protocol === 'imap' ? 1 : 0] ?? '').toUpperCase(), protocol === 'imap' ? `${l.split(' ')[0]} ` : '', false, script));
        await ctx.sleep(script.answerInPlaintextAfterMs);
        for (const r of late) send(r);
      }
      conn.upgrade(script.starttls, script.keepBuffer ? rest : '');
      continue;
    }
    const reply = answer(protocol, verb, tag, conn.tls, script);
    for (const r of reply) send(r);
    if (verb === 'QUIT' || verb === 'LOGOUT') {
      conn.stream.end();
      return;
    }
  }
}

function caps(protocol: MailProtocol, tls: boolean, script: FaultScript): readonly string[] {
  const before = script.caps ?? (script.starttls ? [protocol === 'pop3' ? 'STLS' : 'STARTTLS'] : []);
  if (!tls) return before;
  return script.capsTls ?? [...before.filter((c) => c !== 'STARTTLS' && c !== 'STLS'), ...(protocol === 'smtp' ? ['AUTH PLAIN LOGIN'] : protocol === 'imap' ? ['AUTH=PLAIN'] : ['USER', 'SASL PLAIN'])];
}

function answer(protocol: MailProtocol, verb: string, tag: string, tls: boolean, script: FaultScript): string[] {
  const list = caps(protocol, tls, script);
  if (protocol === 'smtp') {
    if ((verb === 'EHLO' || verb === 'HELO') && script.rejectEhlo !== undefined) return [script.rejectEhlo];
    if (verb === 'EHLO') return list.length === 0 ? ['250 fault.test'] : ['250-fault.test', ...list.map((c, i) => `250${i === list.length - 1 ? ' ' : '-'}${c}`)];
    if (verb === 'HELO' || verb === 'NOOP' || verb === 'RSET') return ['250 ok'];
    if (verb === 'AUTH') return [script.acceptLogin ? '235 2.7.0 ok' : '535 5.7.8 no'];
    if (verb === 'QUIT') return ['221 bye'];
    return ['502 5.5.2 command not recognized'];
  }
  if (protocol === 'imap') {
    if (verb === 'CAPABILITY') return [`* CAPABILITY IMAP4rev1 ${list.join(' ')}`.trimEnd(), `${tag}OK done`];
    if (verb === 'NOOP') return [`${tag}OK noop`];
    if (verb === 'LOGIN' || verb === 'AUTHENTICATE') return [`${tag}${script.acceptLogin ? 'OK logged in' : 'NO denied'}`];
    if (verb === 'LOGOUT') return ['* BYE', `${tag}OK bye`];
    return [`${tag}BAD unknown`];
  }
  if (verb === 'CAPA') return ['+OK', ...list, '.'];
  if (verb === 'USER') return ['+OK'];
  if (verb === 'PASS' || verb === 'AUTH') return [script.acceptLogin ? '+OK logged in' : '-ERR denied'];
  if (verb === 'QUIT') return ['+OK bye'];
  return ['-ERR unknown'];
}
