/**
 * The lean ops of imap-session (suites/bench/imap-lean.ts) on a driver client over an
 * in-memory server: the exact commands written (tags from the driver's own counter), one write
 * per pipelined group, metrics under the driver path's names timed from the group's write to
 * each completion, NO/BAD failing the op as refusedBy does, and ops skipped on an empty
 * mailbox without a metric.
 */
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImapClient } from '../../drivers/imap/client.js';
import { RejectedReply } from '../../engine/load/classify.js';
import { summarize } from '../../engine/load/histogram.js';
import { MetricsRegistry } from '../../engine/load/metrics.js';
import type { ImapOp } from '../../suites/bench/config.js';
import { LeanImap, LeanMetrics, type LeanCursor } from '../../suites/bench/imap-lean.js';
import { memoryServer, type MemoryServer } from './helpers/memory-server.js';

const MIX: readonly ImapOp[] = ['fetch', 'fetch-body', 'search', 'store', 'noop', 'status', 'list'];

/** Answers every tagged command line with `answer(tag, command)` (CRLF added), each write in one chunk. */
function answering(server: MemoryServer, answer: (tag: string, command: string) => string): void {
  server.onWrite = (text) => {
    let out = '';
    for (const line of text.split('\r\n')) {
      if (line === '') continue;
      const sp = line.indexOf(' ');
      out += `${answer(line.slice(0, sp), line.slice(sp + 1))}\r\n`;
    }
    server.send(out);
  };
}

async function session(mailbox = 'INBOX'): Promise<{ server: MemoryServer; client: ImapClient; lean: LeanImap; metrics: MetricsRegistry }> {
  const server = memoryServer();
  server.send('* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n');
  const client = await ImapClient.connect({ host: '127.0.0.1', port: 143, connector: server.connector, transcript: false });
  const metrics = new MetricsRegistry();
  return { server, client, lean: new LeanImap(client, mailbox, new LeanMetrics(metrics)), metrics };
}

/** Every op of MIX recorded `times`, without an error. */
function expectEveryOpOk(metrics: MetricsRegistry, times: number): void {
  for (const name of ['imap.fetch', 'imap.fetch_body', 'imap.search', 'imap.store', 'imap.noop', 'imap.status', 'imap.list']) {
    expect([name, metrics.get(name)?.count, metrics.get(name)?.errors]).toEqual([name, times, 0]);
  }
}

const cursor = (exists: number, appended?: number): LeanCursor => ({ exists, appended, cursor: 0, flagged: false });

describe('bench IMAP lean ops', () => {
  it('one command at a time: the commands the driver path sent, tags after the driver’s own', async () => {
    const { server, client, lean, metrics } = await session('Sent "old"');
    answering(server, (tag) => `${tag} OK done`);
    await client.noop();
    const s = cursor(2);
    for (let round = 0; round < 2; round++) for (let i = 0; i < MIX.length; i++) await lean.run(s, MIX, i, i + 1);
    expect(server.written).toEqual([
      'A1 NOOP\r\n',
      'A2 FETCH 1 (UID FLAGS BODY.PEEK[HEADER])\r\n',
      'A3 FETCH 2 (UID FLAGS BODY.PEEK[])\r\n',
      'A4 UID SEARCH UNSEEN\r\n',
      'A5 STORE 1 +FLAGS.SILENT (\\Flagged)\r\n',
      'A6 NOOP\r\n',
      'A7 STATUS "Sent \\"old\\"" (MESSAGES UNSEEN)\r\n',
      'A8 LIST "" *\r\n',
      'A9 FETCH 2 (UID FLAGS BODY.PEEK[HEADER])\r\n',
      'A10 FETCH 1 (UID FLAGS BODY.PEEK[])\r\n',
      'A11 UID SEARCH UNSEEN\r\n',
      'A12 STORE 2 -FLAGS.SILENT (\\Flagged)\r\n',
      'A13 NOOP\r\n',
      'A14 STATUS "Sent \\"old\\"" (MESSAGES UNSEEN)\r\n',
      'A15 LIST "" *\r\n',
    ]);
    expectEveryOpOk(metrics, 2);
    expect(client.transport.closed).toBe(false);
  });

  it('this iteration’s APPEND is read and flagged by UID', async () => {
    const { server, lean } = await session();
    answering(server, (tag) => `${tag} OK done`);
    await lean.run(cursor(5, 4711), ['fetch', 'store'], 0, 2);
    expect(server.written).toEqual(['A1 UID FETCH 4711 (UID FLAGS BODY.PEEK[HEADER])\r\nA2 UID STORE 4711 +FLAGS.SILENT (\\Flagged)\r\n']);
  });

  it('a group: one write, each command timed from it to its own completion, in the server’s order', async () => {
    const { server, lean, metrics } = await session();
    server.onWrite = () => {
      server.send('* 1 FETCH (UID 1 BODY[HEADER] {12}\r\nSubject: x\r\n)\r\nA1 OK done\r\nA3 OK done\r\n');
      setTimeout(() => server.send('* SEARCH\r\nA2 OK done\r\n'), 60);
    };
    await lean.run(cursor(1), ['fetch', 'search', 'noop'], 0, 3);
    expect(server.written).toEqual(['A1 FETCH 1 (UID FLAGS BODY.PEEK[HEADER])\r\nA2 UID SEARCH UNSEEN\r\nA3 NOOP\r\n']);
    const ms = (name: string): number => summarize(metrics.get(name)!.histogram).max;
    expect(ms('imap.fetch')).toBeLessThan(50);
    expect(ms('imap.noop')).toBeLessThan(50);
    expect(ms('imap.search')).toBeGreaterThanOrEqual(55);
  });

  it('NO and BAD: every completion is read and recorded, then the first refusal fails the op', async () => {
    const { server, client, lean, metrics } = await session();
    answering(server, (tag, command) => (command.startsWith('UID SEARCH') ? `${tag} NO [CANNOT] Search failed` : command === 'NOOP' ? `${tag} BAD Huh` : `${tag} OK done`));
    const err = await lean.run(cursor(1), ['fetch', 'search', 'noop', 'list'], 0, 4).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RejectedReply);
    expect((err as RejectedReply).errorClass).toBe('no');
    expect((err as RejectedReply).metric).toBe('imap.search');
    expect((err as RejectedReply).message).toBe('imap.search: NO Search failed');
    expect([metrics.get('imap.search')?.count, metrics.get('imap.search')?.errors]).toEqual([1, 1]);
    expect([metrics.get('imap.noop')?.count, metrics.get('imap.noop')?.errors]).toEqual([1, 1]);
    expect([metrics.get('imap.list')?.count, metrics.get('imap.list')?.errors]).toEqual([1, 0]);
    // A refusal is an answer: the connection goes on.
    expect(client.transport.closed).toBe(false);
    const bad = await lean.run(cursor(1), ['noop'], 0, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(RejectedReply);
    expect((bad as RejectedReply).errorClass).toBe('bad');
  });

  it('an empty mailbox: fetch and store are skipped and leave no metric; nothing to run writes nothing', async () => {
    const { server, lean, metrics } = await session();
    answering(server, (tag) => `${tag} OK done`);
    await lean.run(cursor(0), ['fetch', 'store'], 0, 2);
    expect(server.written).toEqual([]);
    await lean.run(cursor(0), MIX, 0, MIX.length);
    expect(server.written).toEqual(['A1 UID SEARCH UNSEEN\r\nA2 NOOP\r\nA3 STATUS "INBOX" (MESSAGES UNSEEN)\r\nA4 LIST "" *\r\n']);
    expect(metrics.get('imap.fetch')).toBeUndefined();
    expect(metrics.get('imap.store')).toBeUndefined();
  });

  it('one after another (runEach): each command written only once the one before is completed, answers now or later', async () => {
    const { server, client, lean, metrics } = await session();
    let n = 0;
    server.onWrite = (text) => {
      const tag = text.slice(0, text.indexOf(' '));
      const answer = text.includes('BODY.PEEK[]') ? `* 1 FETCH (UID 1 BODY[] {14}\r\nSubject: y\r\n\r\n)\r\n${tag} OK done\r\n` : `${tag} OK done\r\n`;
      // Alternately at once, and later in pieces (a literal split across reads).
      if (n++ % 2 === 0) server.send(answer);
      else void server.drip([answer.slice(0, 35), answer.slice(35)]);
    };
    const s = cursor(2);
    for (let round = 0; round < 2; round++) await lean.runEach(s, MIX, 0, MIX.length);
    expect(server.written).toEqual([
      'A1 FETCH 1 (UID FLAGS BODY.PEEK[HEADER])\r\n',
      'A2 FETCH 2 (UID FLAGS BODY.PEEK[])\r\n',
      'A3 UID SEARCH UNSEEN\r\n',
      'A4 STORE 1 +FLAGS.SILENT (\\Flagged)\r\n',
      'A5 NOOP\r\n',
      'A6 STATUS "INBOX" (MESSAGES UNSEEN)\r\n',
      'A7 LIST "" *\r\n',
      'A8 FETCH 2 (UID FLAGS BODY.PEEK[HEADER])\r\n',
      'A9 FETCH 1 (UID FLAGS BODY.PEEK[])\r\n',
      'A10 UID SEARCH UNSEEN\r\n',
      'A11 STORE 2 -FLAGS.SILENT (\\Flagged)\r\n',
      'A12 NOOP\r\n',
      'A13 STATUS "INBOX" (MESSAGES UNSEEN)\r\n',
      'A14 LIST "" *\r\n',
    ]);
    expectEveryOpOk(metrics, 2);
    // The driver goes on after the lean run: its tags come next, the connection in step.
    answering(server, (tag) => `${tag} OK done`);
    expect((await client.noop()).status).toBe('OK');
    expect(server.written.at(-1)).toBe('A15 NOOP\r\n');
  });

  it('one after another (runEach): a NO fails its op, and nothing after it is written', async () => {
    const { server, client, lean, metrics } = await session();
    answering(server, (tag, command) => (command.startsWith('UID SEARCH') ? `${tag} NO [CANNOT] Search failed` : `${tag} OK done`));
    const err = await lean.runEach(cursor(1), ['fetch', 'search', 'noop'], 0, 3).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RejectedReply);
    expect((err as RejectedReply).metric).toBe('imap.search');
    expect(server.written).toEqual(['A1 FETCH 1 (UID FLAGS BODY.PEEK[HEADER])\r\n', 'A2 UID SEARCH UNSEEN\r\n']);
    expect([metrics.get('imap.search')?.count, metrics.get('imap.search')?.errors]).toEqual([1, 1]);
    expect(metrics.get('imap.noop')).toBeUndefined();
    expect(client.transport.closed).toBe(false);
    // The next run starts clean.
    await lean.runEach(cursor(1), ['noop'], 0, 1);
    expect(server.written.at(-1)).toBe('A3 NOOP\r\n');
  });

  it('one after another (runEach): a broken answer fails the run with the wire\'s error and closes the connection', async () => {
    const { server, client, lean } = await session();
    server.onWrite = () => void server.drip(['* 1 FETCH (BODY[] {3}\r\nab', 'c)\r\n', 'Z9 OK what\r\n']);
    const err = await lean.runEach(cursor(1), ['fetch-body', 'noop'], 0, 2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toBe('EPROTOCOL');
    expect(server.written).toHaveLength(1);
    expect(client.transport.closed).toBe(true);
  });

  it('one after another (runEach): a write over the socket\'s high-water mark is waited for, then its completion read', async () => {
    const written: string[] = [];
    // A socket that takes one byte before it asks to be drained, and each write a macrotask later.
    const duplex = new Duplex({
      writableHighWaterMark: 1,
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const text = chunk.toString('latin1');
        // The transport's empty write is how it waits for the drain.
        if (text !== '') written.push(text);
        setImmediate(() => {
          callback();
          if (text !== '') duplex.push(`${text.slice(0, text.indexOf(' '))} OK done\r\n`);
        });
      },
    });
    const greeted = ImapClient.connect({ host: '127.0.0.1', port: 143, connector: () => duplex, transcript: false });
    duplex.push('* OK [CAPABILITY IMAP4rev1] ready\r\n');
    const client = await greeted;
    const metrics = new MetricsRegistry();
    const lean = new LeanImap(client, 'INBOX', new LeanMetrics(metrics));
    await lean.runEach(cursor(2), ['fetch', 'noop', 'search'], 0, 3);
    expect(written).toEqual(['A1 FETCH 1 (UID FLAGS BODY.PEEK[HEADER])\r\n', 'A2 NOOP\r\n', 'A3 UID SEARCH UNSEEN\r\n']);
    expect(['imap.fetch', 'imap.noop', 'imap.search'].map((n) => metrics.get(n)?.count)).toEqual([1, 1, 1]);
  });

  it('STATUS of a mailbox that needs a literal stays on the driver', async () => {
    const { lean } = await session('Entwürfe');
    expect(lean.has('status')).toBe(false);
    expect(MIX.filter((op) => op !== 'status').every((op) => lean.has(op))).toBe(true);
    expect(['append', 'expunge', 'idle'].some((op) => lean.has(op as ImapOp))).toBe(false);
  });
});
