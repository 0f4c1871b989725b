/**
 * Reading one POP3 reply off a transport: the status line, then the multi-line body when the
 * command has one and the answer is +OK. One budget covers the whole reply, so a server that
 * drip-feeds a body line by line cannot stretch a command past its deadline.
 */
import { MailprobeError, isMailprobeError, type Phase } from '../errors.js';
import type { Transport } from '../transport.js';
import { MultilineReader, type MultilineBody } from './multiline.js';
import { parseStatus, type Pop3Status } from './status.js';
import type { Pop3Reply } from './types.js';

export interface ReadSpec {
  /** The command as displayed (redacted), for error context; undefined for the greeting. */
  command: string | undefined;
  phase: Phase;
  /** When the command went out (or the greeting wait began). */
  startedAt: number;
  /** Where the budget starts, if not at startedAt (raw reads long after a write). */
  deadlineFrom?: number;
  budgetMs: number;
  multiline: boolean;
  /** Summarise the body in the transcript instead of recording each line. */
  messageData: boolean;
  bytesOut: number;
  /**
   * The first reply after a write may use the transport's first-byte time. Later replies of a
   * pipelined batch were already buffered when we got to them: their first byte is taken as
   * the moment their status line was read, the best a pull reader can know.
   */
  firstAfterWrite: boolean;
}

/** Read a status line and, when due, the body. Throws only MailprobeError (framing, transport). */
export async function readReply(transport: Transport, spec: ReadSpec): Promise<Pop3Reply> {
  const deadline = (spec.deadlineFrom ?? spec.startedAt) + spec.budgetMs;
  const statusLine = await readWithin(transport, spec, deadline, true);
  const statusAt = transport.now();
  let status: Pop3Status;
  try {
    status = parseStatus(statusLine);
  } catch (err) {
    throw withCommand(err, spec, transport);
  }
  let bytesIn = statusLine.length;
  let body: MultilineBody | undefined;
  if (status.status === 'ok' && spec.multiline) {
    body = await readBodyWithin(transport, spec, deadline);
    bytesIn += body.stats.wireBytes;
  }
  const end = transport.now();
  const fb = transport.firstByteAt;
  const firstByteAt = spec.firstAfterWrite && fb !== undefined && fb >= spec.startedAt && fb <= statusAt ? fb : statusAt;
  return {
    ...status,
    ok: status.status === 'ok',
    ...(body ? { lines: body.lines, body: body.stats } : {}),
    timing: {
      startedAt: spec.startedAt,
      firstByteMs: firstByteAt - spec.startedAt,
      totalMs: end - spec.startedAt,
      bytesOut: spec.bytesOut,
      bytesIn,
    },
  };
}

/** Read a multi-line body (the status line already read) under the spec's budget. */
export async function readBody(transport: Transport, spec: ReadSpec): Promise<MultilineBody> {
  return readBodyWithin(transport, spec, (spec.deadlineFrom ?? spec.startedAt) + spec.budgetMs);
}

async function readBodyWithin(transport: Transport, spec: ReadSpec, deadline: number): Promise<MultilineBody> {
  const reader = new MultilineReader(transport.limits.maxReplyBytes);
  const record = !spec.messageData;
  while (!reader.done) {
    const line = await readWithin(transport, spec, deadline, record);
    try {
      reader.push(line);
    } catch (err) {
      // The rest of the body is still on its way: framing cannot be recovered (as for an
      // over-long line in the transport), so the connection goes.
      transport.destroy();
      throw withCommand(err, spec, transport);
    }
  }
  const result = reader.result();
  if (spec.messageData) {
    const s = result.stats;
    transport.note(`(body: ${s.contentBytes} bytes in ${s.lines} lines, ${s.wireBytes} on the wire; not recorded line by line)`);
  }
  return result;
}

async function readWithin(transport: Transport, spec: ReadSpec, deadline: number, record: boolean): Promise<Buffer> {
  const remaining = deadline - transport.now();
  if (remaining <= 0) throw timeoutError(transport, spec, undefined);
  try {
    return await transport.readLine({ timeoutMs: remaining, phase: spec.phase, record });
  } catch (err) {
    if (isMailprobeError(err, 'ETIMEDOUT')) throw timeoutError(transport, spec, err);
    throw withCommand(err, spec, transport);
  }
}

/** One message for every expiry of the reply budget, whichever read it hit. */
function timeoutError(transport: Transport, spec: ReadSpec, cause: MailprobeError | undefined): MailprobeError {
  const what = spec.command === undefined ? 'greeting' : `reply to ${spec.command}`;
  return new MailprobeError(
    'ETIMEDOUT',
    `no complete ${what} within ${spec.budgetMs} ms`,
    {
      ...(cause?.context ?? {}),
      phase: spec.phase,
      elapsedMs: transport.now() - (spec.deadlineFrom ?? spec.startedAt),
      ...(spec.command === undefined ? {} : { command: spec.command }),
      transcript: transport.snapshot(30),
    },
    cause === undefined ? {} : { cause },
  );
}

function withCommand(err: unknown, spec: ReadSpec, transport: Transport): unknown {
  if (!(err instanceof MailprobeError)) return err;
  return err.withContext({
    phase: spec.phase,
    ...(spec.command === undefined ? {} : { command: spec.command }),
    transcript: transport.snapshot(30),
  });
}
