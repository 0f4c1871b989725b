import { beginExchange } from '../exchange.js';
import type { SmtpClient } from './client.js';
import { encodeDataBody, type EncodeOptions } from './dot-stuff.js';
import type { SmtpReply } from './reply.js';

/**
 * MAIL/RCPT parameters (RFC 5321 §4.1.2 esmtp-param): `{ SIZE: 1024, BODY: '8BITMIME',
 * SMTPUTF8: true }` or ready-made strings. Values are sent as given (no xtext encoding), so a
 * probe can send malformed ones.
 */
export type MailParams = Readonly<Record<string, string | number | true>> | readonly string[];

export function formatMailParams(params: MailParams | undefined): string {
  if (params === undefined) return '';
  const parts = Array.isArray(params)
    ? (params as readonly string[])
    : Object.entries(params as Readonly<Record<string, string | number | true>>).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

export interface DataResult {
  /** The reply to DATA itself (354 to go ahead). */
  readonly dataReply: SmtpReply;
  /** The reply after end of data; undefined when DATA was not accepted. */
  readonly reply: SmtpReply | undefined;
}

/** Bodies longer than this are summarised in the transcript instead of recorded line by line. */
const TRANSCRIPT_BODY_BYTES = 2048;

export async function sendData(client: SmtpClient, message: string | Uint8Array, options: EncodeOptions): Promise<DataResult> {
  const dataReply = await client.command('DATA');
  if (dataReply.code !== 354) return { dataReply, reply: undefined };
  const body = encodeDataBody(typeof message === 'string' ? Buffer.from(message, 'utf8') : message, options);
  return { dataReply, reply: await sendEncodedBody(client, body) };
}

/**
 * Send a body that is already dot-stuffed and terminated (bench builds it once) and read the
 * end-of-data reply under the data deadline.
 */
export async function sendEncodedBody(client: SmtpClient, body: Uint8Array): Promise<SmtpReply> {
  const t = client.transport;
  const start = beginExchange(t);
  await t.write(body, {
    display: body.length <= TRANSCRIPT_BODY_BYTES ? undefined : `(message body: ${body.length} bytes, dot-stuffed, ending CRLF.CRLF)`,
    phase: 'data',
    timeoutMs: t.timeouts.dataMs,
  });
  const reply = await client.readReply({ phase: 'data', timeoutMs: t.timeouts.dataMs });
  client.record(start, 'smtp.data', '(end of data)', reply);
  return reply;
}

/** RFC 3030 §2: `BDAT <size> [LAST]` followed by exactly size octets, no dot-stuffing. */
export async function sendBdat(client: SmtpClient, chunk: string | Uint8Array, last: boolean): Promise<SmtpReply> {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  const t = client.transport;
  const head = `BDAT ${bytes.length}${last ? ' LAST' : ''}`;
  const start = beginExchange(t);
  await t.write(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes]), {
    display: [head, `(${bytes.length} octets of chunk data)`],
    phase: 'data',
    timeoutMs: t.timeouts.dataMs,
  });
  const reply = await client.readReply({ phase: 'data', timeoutMs: t.timeouts.dataMs });
  client.record(start, 'smtp.bdat', head, reply);
  return reply;
}
