/**
 * Proves the lab from the outside with raw node:net / node:tls sockets only (the project's own
 * drivers are tested against this lab, so they cannot be what checks it).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { preflight } from './preflight.js';

const lab = inject('lab');
const tlsOptions = { ca: lab.rootCaPem, servername: lab.servername };

/** CRLF line reader over one socket; `detach()` hands the socket over for STARTTLS. */
class Lines {
  private buf = '';
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: string): void => {
    this.buf += chunk;
    this.wake?.();
  };
  private readonly onEnd = (err?: Error): void => {
    this.failure ??= err ?? new Error('connection closed');
    this.wake?.();
  };

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', this.onData).on('error', this.onEnd).on('close', () => this.onEnd());
  }

  async line(timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const eol = this.buf.indexOf('\r\n');
      if (eol >= 0) {
        const line = this.buf.slice(0, eol);
        this.buf = this.buf.slice(eol + 2);
        return line;
      }
      if (this.failure) throw this.failure;
      if (Date.now() >= deadline) throw new Error(`no line within ${timeoutMs} ms (buffered ${JSON.stringify(this.buf)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  write(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Stop reading; RFC 3207 §4.2: nothing may have arrived after the go-ahead. */
  detach(): Socket {
    expect(this.buf).toBe('');
    this.socket.off('data', this.onData);
    this.socket.removeAllListeners('error').removeAllListeners('close');
    return this.socket;
  }
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function plain(host: string, port: number): Promise<Lines> {
  const socket = netConnect({ host, port });
  sockets.push(socket);
  await once(socket, 'connect');
  return new Lines(socket);
}

async function implicitTls(host: string, port: number): Promise<Lines> {
  const socket = tlsConnect({ host, port, ...tlsOptions });
  sockets.push(socket);
  await once(socket, 'secureConnect');
  return new Lines(socket);
}

async function upgrade(lines: Lines): Promise<Lines> {
  const socket = tlsConnect({ socket: lines.detach(), ...tlsOptions });
  sockets.push(socket);
  await once(socket, 'secureConnect');
  return new Lines(socket);
}

/** One SMTP reply: `250-…` lines continue it, `250 …` ends it (RFC 5321 §4.2.1). */
async function smtpReply(lines: Lines): Promise<string> {
  const all: string[] = [];
  for (;;) {
    const line = await lines.line();
    all.push(line);
    if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) return all.join('\n');
    if (!/^\d{3}-/.test(line)) throw new Error(`not an SMTP reply line: ${line}`);
  }
}

async function smtp(lines: Lines, command: string): Promise<string> {
  lines.write(command);
  return smtpReply(lines);
}

/** Send a tagged IMAP command and collect everything up to its tagged completion. */
async function imap(lines: Lines, tag: string, command: string): Promise<string[]> {
  lines.write(`${tag} ${command}`);
  const all: string[] = [];
  for (;;) {
    const line = await lines.line();
    all.push(line);
    if (line.startsWith(`${tag} `)) return all;
  }
}

describe('test lab', () => {
  it('names the Debian package to install when a server binary is missing', async () => {
    await expect(preflight([{ path: '/nonexistent/lmtp', pkg: 'dovecot-lmtpd' }])).rejects.toThrow(
      /missing \/nonexistent\/lmtp \(Debian package dovecot-lmtpd\); install with: apt-get install -y dovecot-lmtpd/,
    );
  });

  it('Postfix greets on every SMTP port; smtps verifies against the lab root', async () => {
    for (const port of [lab.ports.smtp, lab.ports.submission]) {
      expect(await smtpReply(await plain(lab.hosts.smtp, port))).toMatch(/^220 mail\.test ESMTP/);
    }
    const smtps = await implicitTls(lab.hosts.smtp, lab.ports.smtps);
    expect((smtps.socket as TLSSocket).authorized).toBe(true);
    expect(await smtpReply(smtps)).toMatch(/^220 mail\.test ESMTP/);
  });

  it('Dovecot greets on IMAP/POP3/LMTP and serves leaf + intermediate on IMAPS', async () => {
    const imapGreeting = await (await plain(lab.hosts.imap, lab.ports.imap)).line();
    // The cleartext policy is real because the client (127.0.0.1) is not Dovecot's own address.
    expect(imapGreeting).toMatch(/^\* OK \[CAPABILITY .*STARTTLS.* LOGINDISABLED\]/);
    const pop3 = await plain(lab.hosts.pop3, lab.ports.pop3);
    expect(await pop3.line()).toMatch(/^\+OK /);
    pop3.write(`USER ${lab.users[0]!.user}`);
    expect(await pop3.line()).toMatch(/^-ERR \[AUTH\] Plaintext authentication disallowed/);
    expect(await (await plain(lab.hosts.lmtp, lab.ports.lmtp)).line()).toMatch(/^220 mail\.test /);
    expect(await (await implicitTls(lab.hosts.pop3, lab.ports.pop3s)).line()).toMatch(/^\+OK /);

    const imaps = await implicitTls(lab.hosts.imap, lab.ports.imaps);
    const socket = imaps.socket as TLSSocket;
    expect(socket.authorized).toBe(true);
    const leaf = socket.getPeerCertificate(true);
    expect(leaf.subject.CN).toBe('mail.test');
    expect(leaf.issuerCertificate.subject.CN).toBe('mailprobe test intermediate');
    expect(await imaps.line()).toMatch(/^\* OK \[CAPABILITY .*AUTH=PLAIN/);
  });

  it('Postfix enforces its policies: MX accepts local mail only, submission wants TLS then AUTH', async () => {
    const mx = await plain(lab.hosts.smtp, lab.ports.smtp);
    await smtpReply(mx);
    expect(await smtp(mx, 'EHLO probe.test')).toMatch(/STARTTLS/);
    expect(await smtp(mx, 'MAIL FROM:<someone@example.org>')).toMatch(/^250 /);
    expect(await smtp(mx, `RCPT TO:<${lab.users[1]!.user}>`)).toMatch(/^250 /);
    expect(await smtp(mx, `RCPT TO:<nobody@${lab.domain}>`)).toMatch(/^550 5\.1\.1 /);
    expect(await smtp(mx, 'RCPT TO:<victim@example.com>')).toMatch(/^554 5\.7\.1 .*Relay access denied/);

    const sub = await plain(lab.hosts.smtp, lab.ports.submission);
    await smtpReply(sub);
    expect(await smtp(sub, 'EHLO probe.test')).not.toMatch(/AUTH/);
    expect(await smtp(sub, 'MAIL FROM:<x@example.org>')).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first/);
  });

  it('has five accounts, alice to erin: each logs in to IMAPS and is a recipient the MX accepts', async () => {
    expect(lab.users.map((u) => u.user)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => `${n}@${lab.domain}`));
    const mx = await plain(lab.hosts.smtp, lab.ports.smtp);
    await smtpReply(mx);
    await smtp(mx, 'EHLO probe.test');
    expect(await smtp(mx, 'MAIL FROM:<someone@example.org>')).toMatch(/^250 /);
    for (const [i, u] of lab.users.entries()) {
      expect([u.user, await smtp(mx, `RCPT TO:<${u.user}>`)]).toEqual([u.user, expect.stringMatching(/^250 /)]);
      const box = await implicitTls(lab.hosts.imap, lab.ports.imaps);
      await box.line();
      expect([u.user, (await imap(box, `l${i}`, `LOGIN ${u.user} ${u.password}`)).at(-1)]).toEqual([u.user, expect.stringMatching(new RegExp(`^l${i} OK`))]);
      expect((await imap(box, `e${i}`, 'EXAMINE INBOX')).at(-1)).toMatch(new RegExp(`^e${i} OK`));
      await imap(box, `z${i}`, 'LOGOUT');
    }
    expect(await smtp(mx, 'RSET')).toMatch(/^250 /);
    await smtp(mx, 'QUIT');
  });

  it('delivers end to end: submission STARTTLS + AUTH PLAIN -> Postfix -> LMTP -> IMAPS', async () => {
    const [alice, bob] = [lab.users[0]!, lab.users[1]!];
    const token = randomBytes(8).toString('hex');

    let sub = await plain(lab.hosts.smtp, lab.ports.submission);
    await smtpReply(sub);
    await smtp(sub, 'EHLO probe.test');
    expect(await smtp(sub, 'STARTTLS')).toMatch(/^220 /);
    sub = await upgrade(sub);
    expect(await smtp(sub, 'EHLO probe.test')).toMatch(/AUTH PLAIN/);
    const plainAuth = Buffer.from(`\0${alice.user}\0${alice.password}`).toString('base64');
    expect(await smtp(sub, `AUTH PLAIN ${plainAuth}`)).toMatch(/^235 /);
    expect(await smtp(sub, `MAIL FROM:<${alice.user}>`)).toMatch(/^250 /);
    expect(await smtp(sub, `RCPT TO:<${bob.user}>`)).toMatch(/^250 /);
    expect(await smtp(sub, 'DATA')).toMatch(/^354 /);
    const message = [
      `From: <${alice.user}>`,
      `To: <${bob.user}>`,
      `Subject: lab ${token}`,
      `Message-ID: <${token}@${lab.domain}>`,
      `Date: ${new Date().toUTCString()}`,
      '',
      `body ${token}`,
      '.',
    ];
    expect(await smtp(sub, message.join('\r\n'))).toMatch(/^250 /);
    await smtp(sub, 'QUIT');

    // Other test files share bob's mailbox, so find this message by its token, not as "1".
    const box = await implicitTls(lab.hosts.imap, lab.ports.imaps);
    await box.line();
    expect((await imap(box, 'a1', `LOGIN ${bob.user} ${bob.password}`)).at(-1)).toMatch(/^a1 OK/);
    expect((await imap(box, 'a2', 'SELECT INBOX')).at(-1)).toMatch(/^a2 OK/);
    let seq: string | undefined;
    for (let i = 0; i < 100 && seq === undefined; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const found = await imap(box, `s${i}`, `SEARCH SUBJECT ${token}`);
      seq = found.find((l) => l.startsWith('* SEARCH '))?.split(' ')[2];
    }
    expect(seq, `message ${token} did not arrive within 10 s; see ${lab.logs.postfix}`).toBeDefined();
    const fetched = (await imap(box, 'f1', `FETCH ${seq} BODY[]`)).join('\n');
    expect(fetched).toContain(`Subject: lab ${token}`);
    expect(fetched).toContain(`body ${token}`);
    await imap(box, 'z', 'LOGOUT');
  });
});
