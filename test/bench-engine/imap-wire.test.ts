/**
 * The lean IMAP reader of the bench (suites/bench/imap-wire.ts) against byte fixtures from an
 * in-memory server: literals cut anywhere, `{n+}` and `~{n}`, text that only looks like a
 * literal, completions in any order, and every way a response can break the framing (BYE, a
 * foreign tag, an unasked `+`, too many responses, oversize literals and lines, silence),
 * each a classified error that closes the connection, never a hang.
 */
import { describe, expect, it } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import type { Limits } from '../../drivers/limits.js';
import { Transport } from '../../drivers/transport.js';
import { ImapWire } from '../../suites/bench/imap-wire.js';
import { bytewise, memoryServer, type MemoryServer } from './helpers/memory-server.js';

const NOOP = Buffer.from(' NOOP\r\n', 'latin1');
const FETCH = Buffer.from(' FETCH 1 (UID FLAGS BODY.PEEK[])\r\n', 'latin1');
const SEARCH = Buffer.from(' UID SEARCH UNSEEN\r\n', 'latin1');

/** Tags T1, T2, … so fixtures can answer them. */
function tags(): { nextTag(): string } {
  let n = 0;
  return { nextTag: () => `T${++n}` };
}

async function open(o: { limits?: Partial<Limits>; budgetMs?: number } = {}): Promise<{ server: MemoryServer; t: Transport; wire: ImapWire }> {
  const server = memoryServer();
  const t = await Transport.connect({ host: '127.0.0.1', port: 143, connector: server.connector, transcript: false, ...(o.limits ? { limits: o.limits } : {}) });
  return { server, t, wire: new ImapWire(t, tags(), o.budgetMs ?? 2000) };
}

/** Let the answer reach the transport's buffer (the in-memory socket delivers it a tick later). */
async function arrived(t: Transport): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  expect(t.buffered).toBeGreaterThan(0);
}

/** Every completion of a group, in the order read: [index, status, text]. */
async function completions(wire: ImapWire, n: number): Promise<[number, string, string][]> {
  const out: [number, string, string][] = [];
  for (let k = 0; k < n; k++) {
    const i = await wire.next();
    out.push([i, wire.status, wire.text]);
  }
  return out;
}

/** The error `p` rejects with (the test fails if it resolves). */
async function failure(p: Promise<unknown>): Promise<MailprobeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailprobeError);
  return err as MailprobeError;
}

/** A FETCH response whose literal holds lines that look like completions of the command. */
const TRAP = 'T1 NO not the end\r\n* BYE not a bye\r\n+ not a go-ahead\r\n';
const FETCH_ANSWER = `* 1 FETCH (UID 9 FLAGS (\\Seen) BODY[] {${TRAP.length}}\r\n${TRAP})\r\nT1 OK Fetch completed.\r\n`;

describe('bench IMAP wire: framing', () => {
  it('writes the tagged command and takes an already buffered completion without a promise', async () => {
    const { server, t, wire } = await open();
    server.onWrite = () => server.send('* 3 EXISTS\r\n* 1 RECENT\r\nT1 OK NOOP completed.\r\n');
    await wire.send([NOOP]);
    expect(server.written).toEqual(['T1 NOOP\r\n']);
    await arrived(t);
    const read = wire.next();
    expect(read).toBe(0);
    expect(wire.status).toBe('OK');
    expect(t.closed).toBe(false);
  });

  it('skips a literal whose bytes look like responses, in one chunk and byte by byte', async () => {
    for (const chunks of [[FETCH_ANSWER], bytewise(FETCH_ANSWER)]) {
      const { server, t, wire } = await open();
      server.onWrite = () => void server.drip(chunks);
      await wire.send([FETCH]);
      expect(await completions(wire, 1)).toEqual([[0, 'OK', '']]);
      expect(t.buffered).toBe(0);
      expect(t.closed).toBe(false);
    }
  });

  it('frames `{n+}`, `~{n}`, `{0}`, two literals in one response and a literal right before CRLF', async () => {
    const { server, wire } = await open();
    const answer =
      '* 1 FETCH (BODY[HEADER] {4+}\r\nT1 O BODY[] ~{3}\r\n\r\n\r)\r\n' +
      '* 2 FETCH (BODY[] {0}\r\n)\r\n' +
      '* 3 FETCH (BODY[] {5}\r\nT1 OK\r\n' +
      'T1 OK done\r\n';
    server.onWrite = () => void server.drip(['* 1 FETCH (BODY[HEADER] {4', answer.slice('* 1 FETCH (BODY[HEADER] {4'.length)]);
    await wire.send([FETCH]);
    expect(await completions(wire, 1)).toEqual([[0, 'OK', '']]);
  });

  it('takes `{5}` at the end of a status line as text, not a literal (RFC 9051 §7.1)', async () => {
    const { server, t, wire } = await open({ budgetMs: 500 });
    server.onWrite = () => server.send('* OK [ALERT] quota at {5}\r\nT1 OK done {2}\r\n');
    await wire.send([NOOP]);
    await arrived(t);
    expect(wire.next()).toBe(0);
    expect(wire.status).toBe('OK');
  });

  it('a pipelined group: completions by tag in any order, NO and BAD with their text', async () => {
    const { server, t, wire } = await open();
    server.onWrite = () =>
      void server.drip([
        '* SEARCH 4 9\r\nT3 OK Search done\r\n',
        'T2 NO [TRYCREATE] Mailbox gone\r\n* 1 FETCH (FLAGS ())\r\nT1 bad  Error in IMAP command: \x01\r\n',
      ]);
    await wire.send([NOOP, FETCH, SEARCH]);
    expect(server.written).toEqual(['T1 NOOP\r\nT2 FETCH 1 (UID FLAGS BODY.PEEK[])\r\nT3 UID SEARCH UNSEEN\r\n']);
    expect(await completions(wire, 3)).toEqual([
      [2, 'OK', ''],
      [1, 'NO', 'Mailbox gone'],
      [0, 'BAD', ' Error in IMAP command: \\x01'],
    ]);
    expect(t.closed).toBe(false);
    // The next group gets new tags.
    server.onWrite = () => server.send('T4 OK\r\n');
    await wire.send([NOOP]);
    expect(server.written[1]).toBe('T4 NOOP\r\n');
    expect(await wire.next()).toBe(0);
  });
});

describe('bench IMAP wire: what ends the connection', () => {
  const cases: [string, string, Partial<Limits>, string, RegExp][] = [
    ['an untagged BYE', '* 2 EXISTS\r\n* BYE Server shutting down.\r\nT1 OK\r\n', {}, 'ECLOSED', /ended the session: \* BYE Server shutting down/],
    ['a completion with a tag not in flight', 'A7 OK done\r\n', {}, 'EPROTOCOL', /tagged response for "A7", which is not a command in flight/],
    ['a second completion of one tag', 'T1 OK\r\nT1 OK again\r\n', {}, 'EPROTOCOL', /"T1", which is not a command in flight/],
    ['a continuation request nobody asked for', '+ go ahead\r\n', {}, 'EPROTOCOL', /continuation request the command did not ask for/],
    ['a completion without OK, NO or BAD', 'T1 PREAUTH hello\r\n', {}, 'EPROTOCOL', /without OK, NO or BAD/],
    ['a line without a tag', '\r\n', {}, 'EPROTOCOL', /without a tag/],
    ['more untagged responses than limits.maxUntagged', '* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n* 4 EXISTS\r\nT1 OK\r\nT2 OK\r\n', { maxUntagged: 3 }, 'ELIMIT', /untagged response count exceeded: 4 > 3/],
    ['a literal over limits.maxLiteralBytes (before reading it)', '* 1 FETCH (BODY[] {11}\r\n', { maxLiteralBytes: 10 }, 'ELIMIT', /literal size exceeded: 11 > 10/],
    ['a literal past limits.maxReplyBytes', '* 1 FETCH (BODY[] {90}\r\n', { maxReplyBytes: 100 }, 'ELIMIT', /reply size exceeded/],
    ['a line over limits.maxLineBytes', `* ${'x'.repeat(200)}\r\n`, { maxLineBytes: 100 }, 'ELIMIT', /line length exceeded/],
  ];
  for (const [what, answer, limits, code, message] of cases) {
    it(`${what}: ${code}`, async () => {
      const { server, t, wire } = await open({ limits, budgetMs: 1000 });
      server.onWrite = () => void server.drip([answer]);
      await wire.send([NOOP, SEARCH]);
      const started = performance.now();
      const err = await failure(completions(wire, 2));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.context.command).toBe('T1 NOOP, T2 UID SEARCH UNSEEN');
      expect(performance.now() - started).toBeLessThan(500);
      expect(t.closed).toBe(true);
      expect(server.destroyed).toBe(true);
    });
  }

  it('an answer that never ends: ETIMEDOUT after the one budget, though lines keep coming', async () => {
    const { server, t, wire } = await open({ budgetMs: 300 });
    let drip: NodeJS.Timeout | undefined;
    server.onWrite = () => {
      drip = setInterval(() => server.send('* 1 EXISTS\r\n'), 50);
    };
    try {
      await wire.send([NOOP]);
      const started = performance.now();
      const err = await failure(completions(wire, 1));
      const took = performance.now() - started;
      expect(err.code).toBe('ETIMEDOUT');
      expect(err.message).toBe('no completion of T1 NOOP within 300 ms');
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1000);
      expect(t.closed).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it('a literal that never arrives whole: ETIMEDOUT, connection closed', async () => {
    const { server, t, wire } = await open({ budgetMs: 200 });
    server.onWrite = () => server.send('* 1 FETCH (BODY[] {100}\r\nonly part');
    await wire.send([FETCH]);
    const err = await failure(completions(wire, 1));
    expect(err.code).toBe('ETIMEDOUT');
    expect(t.closed).toBe(true);
  });

  it('the server closes mid-response: ECLOSED', async () => {
    const { server, t, wire } = await open();
    server.onWrite = () => {
      server.send('* 1 FETCH (BODY[] {10}\r\nabc');
      server.end();
    };
    await wire.send([FETCH]);
    const err = await failure(completions(wire, 1));
    expect(err.code).toBe('ECLOSED');
    expect(t.closed).toBe(true);
  });
});
