/**
 * `npm run bench:drivers`: the drivers' parsers against their peers, same process, same input.
 * - IMAP: mailprobe's tokenizer and typed response parser vs imapflow's parser, FETCH corpus.
 * - SMTP: mailprobe's reply framing vs nodemailer's SMTPConnection framing.
 * Ratios are against the peer; absolute numbers move with the machine, ratios much less.
 */
import { benchImapParser } from './imap-parser.bench.js';
import { benchSmtpReplies } from './smtp-reply.bench.js';

const timeMs = Number(process.env.BENCH_TIME_MS ?? 1000);

const imap = await benchImapParser({ timeMs });
const smtp = await benchSmtpReplies(timeMs);
const smtpPeer = smtp.find((r) => r.task.includes('nodemailer'))?.opsPerSec ?? Number.NaN;

const rows = [
  ...imap.map((r) => ({ task: r.task, rate: `${Math.round(r.unitsPerSec)} ${r.unit}`, 'vs peer': `×${r.ratio.toFixed(2)}` })),
  ...smtp.map((r) => ({ task: r.task, rate: `${Math.round(r.unitsPerSec)} ${r.unit}`, 'vs peer': `×${(r.opsPerSec / smtpPeer).toFixed(2)}` })),
];
console.log(`node ${process.version}, ${timeMs} ms per task`);
console.table(rows);
