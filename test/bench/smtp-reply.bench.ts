/**
 * SMTP reply framing throughput: mailprobe's line splitter + SmtpReplyParser against
 * nodemailer's SMTPConnection._onData framing, on the same chunks, in the same process.
 * Each chunk carries one reply, as a lock-step (or pipelined) session receives them.
 */
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { ByteQueue } from '../../drivers/byte-queue.js';
import { DEFAULT_LIMITS } from '../../drivers/limits.js';
import { SmtpReplyParser } from '../../drivers/smtp/reply.js';

export interface BenchRow {
  task: string;
  opsPerSec: number;
  unitsPerSec: number;
  unit: string;
}

const SESSION = [
  '220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n',
  '250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n' +
    '250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n',
  '250 2.1.0 Ok\r\n',
  '250 2.1.5 Ok\r\n',
  '354 End data with <CR><LF>.<CR><LF>\r\n',
  '250 2.0.0 Ok: queued as 4XyZ1r2Kq9z3\r\n',
  '221 2.0.0 Bye\r\n',
];
const CHUNKS = Array.from({ length: 50 }, () => SESSION)
  .flat()
  .map((s) => Buffer.from(s, 'latin1'));
const REPLIES_PER_ITERATION = CHUNKS.length;

function mailprobeFraming(): number {
  const queue = new ByteQueue();
  const parser = new SmtpReplyParser(DEFAULT_LIMITS);
  let replies = 0;
  for (const chunk of CHUNKS) {
    queue.push(chunk);
    for (let idx = queue.indexOf(0x0a); idx !== -1; idx = queue.indexOf(0x0a)) {
      if (parser.push(queue.take(idx + 1))) replies++;
    }
  }
  return replies;
}

interface NodemailerConnection {
  _onData(chunk: Buffer): void;
  _processResponse(): void;
  _responseQueue: string[];
  _remainder: string;
}

function nodemailerFraming(): () => number {
  const require = createRequire(import.meta.url);
  const SMTPConnection = require('nodemailer/lib/smtp-connection') as new (options: object) => NodemailerConnection;
  const conn = new SMTPConnection({});
  let replies = 0;
  // Count complete replies instead of running nodemailer's callback queue (setImmediate hops),
  // so only the framing itself is compared.
  conn._processResponse = function (this: NodemailerConnection) {
    while (this._responseQueue.length > 0) {
      const str = this._responseQueue.shift()!;
      if (/^\d+-/.test(str.split('\n').pop() ?? '')) return;
      replies++;
    }
  };
  return () => {
    replies = 0;
    for (const chunk of CHUNKS) conn._onData(chunk);
    return replies;
  };
}

export async function benchSmtpReplies(time = 1000): Promise<BenchRow[]> {
  const nodemailer = nodemailerFraming();
  if (mailprobeFraming() !== REPLIES_PER_ITERATION || nodemailer() !== REPLIES_PER_ITERATION) {
    throw new Error('the two framers disagree on the corpus');
  }
  const bench = new Bench({ time, warmupTime: 200 });
  bench.add('smtp replies: mailprobe', () => {
    mailprobeFraming();
  });
  bench.add('smtp replies: nodemailer', () => {
    nodemailer();
  });
  await bench.run();
  return bench.tasks.map((t) => {
    const hz = t.result.state === 'completed' ? t.result.throughput.mean : 0;
    return { task: t.name, opsPerSec: hz, unitsPerSec: hz * REPLIES_PER_ITERATION, unit: 'replies/s' };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchSmtpReplies();
  console.table(rows.map((r) => ({ task: r.task, [r.unit]: Math.round(r.unitsPerSec) })));
}
