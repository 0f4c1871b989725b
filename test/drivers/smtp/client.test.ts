import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { SmtpClient } from '../../../drivers/smtp/client.js';
import { isMailprobeError } from '../../../drivers/errors.js';
import { secret } from '../../../drivers/redact.js';
import { scriptServer, type ScriptContext, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A small, well-behaved SMTP dialogue; records what it received. */
function fakeSmtp(received: string[]) {
  return async (s: Socket, ctx: ScriptContext): Promise<void> => {
    s.write('220 fake.test ESMTP\r\n');
    let inData = false;
    for (;;) {
      const line = await ctx.readLine(s);
      received.push(line);
      if (inData) {
        if (line === '.\r\n') {
          inData = false;
          s.write('250 2.0.0 queued\r\n');
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') s.write('250-fake.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n');
      else if (verb === 'AUTH' && line.startsWith('AUTH PLAIN ')) s.write('235 2.7.0 ok\r\n');
      else if (line === 'AUTH LOGIN\r\n') s.write('334 VXNlcm5hbWU6\r\n');
      else if (verb === 'MAIL' || verb === 'RCPT') s.write('250 2.1.0 ok\r\n');
      else if (verb === 'DATA') {
        inData = true;
        s.write('354 go\r\n');
      } else if (verb === 'QUIT') {
        s.end('221 2.0.0 bye\r\n');
        return;
      } else if (received.at(-2) === 'AUTH LOGIN\r\n') s.write('334 UGFzc3dvcmQ6\r\n');
      else if (received.at(-3) === 'AUTH LOGIN\r\n') s.write('535 5.7.8 no\r\n');
      else s.write('500 5.5.1 what\r\n');
    }
  };
}

describe('SmtpClient against a scripted server', () => {
  it('reads the greeting, EHLO capabilities, sends a message and quits', async () => {
    const received: string[] = [];
    server = await scriptServer(fakeSmtp(received));
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    expect(c.greeting?.code).toBe(220);
    await c.ehlo('client.test');
    expect([...c.capabilities!.keywords.keys()]).toEqual(['PIPELINING', 'AUTH', 'SIZE']);
    const replies = await c.pipeline(['MAIL FROM:<a@b.test> SIZE=10', 'RCPT TO:<c@d.test>']);
    expect(replies.map((r) => r.code)).toEqual([250, 250]);
    const res = await c.data('.leading dot\nsecond\n');
    expect(res.dataReply.code).toBe(354);
    expect(res.reply?.code).toBe(250);
    expect(received).toContain('..leading dot\r\n');
    expect((await c.quit())?.code).toBe(221);
    expect(c.state).toBe('closed');
  });

  it('never puts the password or its base64 in the transcript (PLAIN and LOGIN)', async () => {
    server = await scriptServer(fakeSmtp([]));
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    await c.ehlo();
    const pw = 'S3cret-pässword';
    expect((await c.auth('PLAIN', { user: 'alice', password: secret(pw) })).code).toBe(235);
    expect((await c.auth('LOGIN', { user: 'alice', password: pw })).code).toBe(535);
    const text = JSON.stringify(c.transport.snapshot());
    expect(text).toContain('AUTH PLAIN ***');
    expect(text).not.toContain(pw);
    expect(text).not.toContain(Buffer.from(`\0alice\0${pw}`).toString('base64'));
    expect(text).not.toContain(Buffer.from(pw).toString('base64'));
    c.destroy();
  });

  it('returns negative replies as data', async () => {
    server = await scriptServer(fakeSmtp([]));
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    const r = await c.command('FOOBAR');
    expect(r).toMatchObject({ code: 500, enhanced: '5.5.1' });
    c.destroy();
  });
});

describe('SmtpClient against broken servers', () => {
  it('no greeting: ETIMEDOUT in the greeting phase within the deadline', async () => {
    server = await scriptServer(() => {});
    const t0 = Date.now();
    const err = await SmtpClient.connect({ host: server.host, port: server.port, timeouts: { greetingMs: 200 } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('greeting');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('drip-feed one byte per 100 ms hits the command deadline', async () => {
    server = await scriptServer(async (s, ctx) => {
      for (const ch of '220 slow greeting that never ends\r\n') {
        if (s.destroyed) return;
        s.write(ch);
        await ctx.sleep(100);
      }
    });
    const err = await SmtpClient.connect({ host: server.host, port: server.port, timeouts: { greetingMs: 500 } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { response?: string } }).context.response).toMatch(/^220/);
  });

  it('a 10 MB line fails with ELIMIT and closes', async () => {
    server = await scriptServer((s) => {
      s.write('220-');
      s.write(Buffer.alloc(10 * 1024 * 1024, 0x41));
    });
    const err = await SmtpClient.connect({ host: server.host, port: server.port }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
  });

  it('reset mid-reply: ECLOSED with the partial reply in context', async () => {
    server = await scriptServer((s) => {
      s.write('220-first line\r\n220-sec');
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const err = await SmtpClient.connect({ host: server.host, port: server.port }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
    expect((err as { context: { transcript: { text: string }[] } }).context.transcript.map((e) => e.text)).toContain('220-first line');
  });

  it('garbage instead of a reply: EPROTOCOL', async () => {
    server = await scriptServer((s) => {
      s.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    const err = await SmtpClient.connect({ host: server.host, port: server.port }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });

  it('bytes after the STARTTLS go-ahead: ESTARTTLS_TRAILING, or recorded on request', async () => {
    server = await scriptServer(async (s, ctx) => {
      s.write('220 x\r\n');
      await ctx.readLine(s);
      s.write('220 go ahead\r\n250 injected\r\n');
    });
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    const err = await c.starttls().catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ESTARTTLS_TRAILING')).toBe(true);
    expect((err as { context: { response?: string } }).context.response).toContain('250 injected');
  });
});

describe('SmtpClient deadlines and late replies', () => {
  it('one deadline for the whole reply: a dripped multi-line EHLO times out', async () => {
    server = await scriptServer(async (s, ctx) => {
      s.write('220 x\r\n');
      await ctx.readLine(s);
      for (let i = 0; i < 20 && !s.destroyed; i++) {
        s.write(`250-line ${i}\r\n`);
        await ctx.sleep(60);
      }
      s.write('250 end\r\n');
    });
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    const t0 = Date.now();
    const err = await c.command('EHLO x', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    // The reply is outstanding: the connection is gone, not out of step.
    expect(c.state).toBe('closed');
  });

  it('an unsolicited 421 before the close is returned as a reply, not ECLOSED', async () => {
    server = await scriptServer(async (s, ctx) => {
      s.write('220 x\r\n');
      await ctx.sleep(30);
      s.end('421 4.4.2 idle too long, closing\r\n');
    });
    const c = await SmtpClient.connect({ host: server.host, port: server.port });
    await new Promise((r) => setTimeout(r, 100));
    const reply = await c.command('NOOP');
    expect(reply.code).toBe(421);
  });
});
