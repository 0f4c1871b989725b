/**
 * A scripted SMTP, IMAP or POP3 server with STARTTLS, for what real servers do not do: keep the
 * plaintext buffered with STARTTLS and answer it inside TLS (CVE-2011-0411 class), answer it in
 * plaintext after the go-ahead, accept STARTTLS a second time, offer STARTTLS again inside TLS.
 * Logins always fail; nothing else is implemented, except what an SMTP `smtpReply` answers
 * (EXPN, MAIL, RCPT for the enumeration and relay probes). `heard` collects every line clients
 * sent.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { afterEach, beforeAll } from 'vitest';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { labCert, StarttlsConnection, starttlsGoAhead, type MailProtocol } from '../helpers/starttls-upgrade.js';

export { labCert };
export type Protocol = MailProtocol;

export interface StarttlsScript {
  readonly protocol: Protocol;
  readonly cert: SecureContextOptions;
  /** What happens to lines that came in the same packet as STARTTLS (default: discarded). */
  readonly pipelined?: 'discard' | 'answer-inside-tls' | 'answer-in-plaintext';
  /** Say go ahead to STARTTLS inside TLS too. */
  readonly acceptTwice?: boolean;
  /** List STARTTLS/STLS in the capabilities inside TLS too. */
  readonly readvertise?: boolean;
  /** Delay every failed login reply this long (throttling). */
  readonly loginDelayMs?: number;
  /** Hang up after this many failed logins. */
  readonly dropAfterFailures?: number;
  /**
   * SMTP: this server's own answer to a command line other than STARTTLS, EHLO, AUTH and QUIT
   * (EXPN, MAIL, RCPT, …), its reply lines; undefined for the default (250 to NOOP, RSET and
   * HELO, 502 to the rest).
   */
  readonly smtpReply?: (line: string) => readonly string[] | undefined;
}

/**
 * What a test file of scripted STARTTLS servers sets up once: the lab PKI, its root in a file
 * (the CLI's --ca), and the server of the running test, closed after each test (serve() closes
 * the one before). Call it at the top level of the test file.
 */
export function scriptedTlsLab(): ScriptedTlsLab {
  const lab = new ScriptedTlsLab();
  beforeAll(() => lab.setUp());
  afterEach(() => lab.closeServer());
  return lab;
}

export class ScriptedTlsLab {
  #pki: LabPki | undefined;
  #caFile = '';
  #server: ScriptServer | undefined;

  get pki(): LabPki {
    if (this.#pki === undefined) throw new Error('scriptedTlsLab() is used before its beforeAll ran');
    return this.#pki;
  }

  async setUp(): Promise<void> {
    this.#pki = createLabPki();
    this.#caFile = join(await mkdtemp(join(tmpdir(), 'mailprobe-sec-')), 'root.pem');
    await writeFile(this.#caFile, this.#pki.root.certPem);
  }

  /** Start a server with `script` and the lab certificate; its URL (`smtp://127.0.0.1:port`). */
  async serve(script: Omit<StarttlsScript, 'cert'>, heard: string[] = []): Promise<string> {
    await this.closeServer();
    this.#server = await starttlsServer({ ...script, cert: labCert(this.pki) }, heard);
    return `${script.protocol}://127.0.0.1:${this.#server.port}`;
  }

  async closeServer(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
  }

  /** Trust options of the library (runSecurityChecks). */
  checkTrust(): { ca: string; servername: string } {
    return { ca: this.pki.root.certPem, servername: LAB_SERVERNAME };
  }

  /** Trust options of the command line. */
  cliTrust(): string[] {
    return ['--ca', this.#caFile, '--servername', LAB_SERVERNAME];
  }
}

const GREETING: Readonly<Record<Protocol, string>> = { smtp: '220 scripted.test ESMTP', imap: '* OK scripted IMAP ready', pop3: '+OK scripted POP3 ready' };

export function starttlsServer(script: StarttlsScript, heard: string[] = []): Promise<ScriptServer> {
  return scriptServer(async (socket, ctx) => {
    const { protocol } = script;
    let failures = 0;
    const conn = new StarttlsConnection(ctx, socket);
    const send = (text: string): void => conn.send(text);
    send(GREETING[protocol]);
    const answer = async (line: string): Promise<'quit' | 'starttls' | undefined> => {
      const words = line.split(' ');
      const tag = protocol === 'imap' ? `${words.shift() ?? '*'} ` : '';
      const verb = (words[0] ?? '').toUpperCase();
      if (verb === 'STARTTLS' || verb === 'STLS') {
        if (conn.tls && !script.acceptTwice) {
          send(protocol === 'smtp' ? '554 5.5.1 TLS already active' : protocol === 'imap' ? `${tag}BAD TLS already active` : '-ERR TLS already active');
          return undefined;
        }
        send(starttlsGoAhead(protocol, tag));
        return 'starttls';
      }
      const { tls } = conn;
      const offerTls = !tls || script.readvertise === true;
      const own = protocol === 'smtp' && !['EHLO', 'AUTH', 'QUIT'].includes(verb) ? script.smtpReply?.(line) : undefined;
      if (own !== undefined) own.forEach(send);
      else if (protocol === 'smtp') {
        if (verb === 'EHLO') {
          const caps = ['PIPELINING', ...(offerTls ? ['STARTTLS'] : []), ...(tls ? ['AUTH PLAIN LOGIN'] : [])];
          ['250-scripted.test', ...caps.map((c, i) => `250${i === caps.length - 1 ? ' ' : '-'}${c}`)].forEach(send);
        } else if (verb === 'AUTH') {
          await login();
          send('535 5.7.8 authentication failed');
        } else if (verb === 'QUIT') {
          send('221 bye');
          return 'quit';
        } else if (verb === 'NOOP' || verb === 'RSET' || verb === 'HELO') send('250 ok');
        else send('502 5.5.2 command not recognized');
      } else if (protocol === 'imap') {
        if (verb === 'CAPABILITY') {
          send(`* CAPABILITY IMAP4rev1 ${offerTls ? 'STARTTLS ' : ''}${tls ? 'AUTH=PLAIN' : 'LOGINDISABLED'}`);
          send(`${tag}OK done`);
        } else if (verb === 'NOOP') send(`${tag}OK noop`);
        else if (verb === 'LOGIN' || verb === 'AUTHENTICATE') {
          await login();
          send(`${tag}NO [AUTHENTICATIONFAILED] failed`);
        } else if (verb === 'LOGOUT') {
          send('* BYE');
          send(`${tag}OK bye`);
          return 'quit';
        } else send(`${tag}BAD unknown`);
      } else {
        if (verb === 'CAPA') ['+OK', ...(offerTls ? ['STLS'] : []), ...(tls ? ['USER'] : []), '.'].forEach(send);
        else if (verb === 'USER') send('+OK');
        else if (verb === 'PASS') {
          await login();
          send('-ERR [AUTH] failed');
        } else if (verb === 'QUIT') {
          send('+OK bye');
          return 'quit';
        } else send('-ERR unknown');
      }
      return undefined;
    };
    const login = async (): Promise<void> => {
      failures++;
      if (script.loginDelayMs !== undefined) await ctx.sleep(script.loginDelayMs);
      if (script.dropAfterFailures !== undefined && failures >= script.dropAfterFailures) {
        conn.stream.destroy();
      }
    };
    for (;;) {
      const line = await conn.next();
      if (line === null) return;
      heard.push(line);
      const what = await answer(line);
      if (what === 'quit') {
        conn.stream.end();
        return;
      }
      if (what !== 'starttls') continue;
      const rest = conn.detach();
      const pending = rest.split(/\r?\n/).filter((l) => l !== '');
      if (script.pipelined === 'answer-in-plaintext') for (const l of pending) await answer(l);
      if (conn.tls) {
        // A second handshake inside TLS is more than this script does: the client gives up anyway.
        return;
      }
      const tlsSocket = conn.upgrade(script.cert);
      if (script.pipelined === 'answer-inside-tls') {
        await new Promise<void>((resolve) => tlsSocket.once('secure', () => resolve()));
        for (const l of pending) {
          heard.push(`${l} (kept from plaintext)`);
          await answer(l);
        }
      }
    }
  });
}
