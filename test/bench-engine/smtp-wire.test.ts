import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../drivers/errors.js';
import { Transport } from '../../drivers/transport.js';
import { ReplyPump } from '../../suites/bench/smtp-reply-pump.js';
import { EXT_AUTH, EXT_PIPELINING, EXT_STARTTLS, readCode, type LeanReply } from '../../suites/bench/smtp-wire.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A transport whose server sends `chunks` (with a pause between them) and nothing else. */
async function replying(...chunks: string[]): Promise<Transport> {
  server = await scriptServer(async (s) => {
    for (const c of chunks) {
      s.write(c);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return Transport.connect({ host: server.host, port: server.port, transcript: false });
}

const read = { record: false, timeoutMs: 2000 };

/** The next whole reply through the callback pump (the hot path's reader). */
function readReplyKeywords(t: Transport, options: typeof read, withText: boolean): Promise<LeanReply> {
  return new Promise((resolve, reject) => {
    const sink = {
      reply: (code: number, extensions: number, lines: string[] | undefined): boolean => {
        resolve({ code, extensions, lines });
        return false;
      },
      failed: reject,
    };
    new ReplyPump(t, sink).read(options, withText);
  });
}

describe('bench SMTP reply reading (smtp-wire, smtp-reply-pump)', () => {
  it('reads EHLO keywords without case, AUTH= included, text only when asked', async () => {
    const t = await replying('250-mx.example Hello\r\n250-pipelining\r\n250-Auth=PLAIN LOGIN\r\n250-SIZE 10\r\n', '250 8BITMIME\r\n');
    const r = await readReplyKeywords(t, read, false);
    expect(r.code).toBe(250);
    expect(r.extensions).toBe(EXT_PIPELINING | EXT_AUTH);
    expect(r.extensions & EXT_STARTTLS).toBe(0);
    expect(r.lines).toBeUndefined();
    t.destroy();
  });

  it('keeps the text of every line for the first session, and matches whole keywords only', async () => {
    const t = await replying('250-mx.example Hello\r\n250-STARTTLSX\r\n250-STARTTLS\r\n250 AUTHX PLAIN\r\n');
    const r = await readReplyKeywords(t, read, true);
    expect(r.extensions).toBe(EXT_STARTTLS);
    expect(r.lines).toEqual(['mx.example Hello', 'STARTTLSX', 'STARTTLS', 'AUTHX PLAIN']);
    t.destroy();
  });

  it('takes the code of the last line of a multi-line reply, buffered or not', async () => {
    const t = await replying('250-first\r\n250-second\r\n', '250 third\r\n554 no\r\n');
    expect(await readCode(t, read)).toBe(250);
    // Already buffered: a number, not a promise.
    expect(readCode(t, read)).toBe(554);
    t.destroy();
  });

  it('a line without a reply code is a protocol error and closes the connection', async () => {
    const t = await replying('250-ok\r\nhello there\r\n');
    const err = await readReplyKeywords(t, read, false).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(t.closed).toBe(true);
  });
});
