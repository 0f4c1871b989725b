/**
 * Line discipline of every response (RFC 1939 §3, RFC 2449 §4). Code, not YAML: the verdict
 * rests on the bytes of each status line and body (terminators, lengths), which the driver
 * records but a suite expectation does not see.
 */
import type { Pop3Client } from '../../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../../drivers/pop3/types.js';
import { renderWireText } from '../../../drivers/transcript.js';
import { defineCheck, fail, pass, warn } from '../../../engine/checks/code-check.js';
import { announced, opts, type Ctx } from './util.js';

interface Sampled {
  readonly what: string;
  readonly reply: Pop3Reply;
}

/** The greeting and the replies to a spread of commands, multi-line ones included. */
async function sample(ctx: Ctx, c: Pop3Client): Promise<Sampled[]> {
  const out: Sampled[] = [{ what: 'the greeting', reply: c.greeting }];
  const add = (what: string, reply: Pop3Reply): void => void out.push({ what, reply });
  add('CAPA', await c.capa());
  add('STAT', await c.stat());
  const list = await c.list();
  add('LIST', list);
  if (announced(ctx, 'authenticated', 'UIDL')) add('UIDL', await c.uidl());
  const small = list.entries.find((e) => e.octets <= 65_536);
  if (small) add(`RETR ${small.msg}`, await c.retr(small.msg, opts(ctx)));
  add('NOOP', await c.noop());
  add('an unknown command', await c.command('XMPROBE', opts(ctx)));
  return out;
}

// Code: looks at the terminators the driver recorded for each line.
export const linesCrlf = defineCheck(
  'pop3',
  {
    id: 'pop3.lines.crlf',
    title: 'Every response line ends in CRLF, multi-line responses end in "." CRLF',
    // "All responses are terminated by a CRLF pair." Multi-line: "any additional lines are
    // sent, each terminated by a CRLF pair ... a final line is sent, consisting of a
    // termination octet (decimal code 046, ".") and a CRLF pair."
    ref: 'RFC 1939 §3',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const bad: string[] = [];
    for (const { what, reply } of await sample(ctx, c)) {
      if (reply.bareLf) bad.push(`${what}: the status line ends in a bare LF`);
      if (reply.body?.bareLfLines) bad.push(`${what}: ${reply.body.bareLfLines} body line(s) end in a bare LF`);
      if (reply.body?.bareLfTerminator) bad.push(`${what}: the end marker is "." LF`);
    }
    return bad.length > 0 ? fail(bad.join('; ')) : pass('every line seen ended in CRLF');
  },
);

// Code: looks at the raw length of each status line.
export const linesLength = defineCheck(
  'pop3',
  {
    id: 'pop3.lines.length',
    title: 'Status lines, the greeting included, are at most 512 octets',
    // RFC 1939 §3: "Responses may be up to 512 characters long, including the terminating
    // CRLF." RFC 2449 §4: "The maximum length of the first line of a command response
    // (including the initial greeting) is unchanged at 512 octets". A limit stated without a
    // 2119 keyword: SHOULD.
    ref: 'RFC 1939 §3, RFC 2449 §4',
    level: 'SHOULD',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const long = (await sample(ctx, c)).filter((s) => s.reply.raw.length > 512);
    if (long.length === 0) return pass('every status line seen was at most 512 octets');
    return warn(long.map((s) => `${s.what}: ${s.reply.raw.length} octets (${renderWireText(s.reply.raw.subarray(0, 60))}…)`).join('; '));
  },
);
