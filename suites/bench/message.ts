/**
 * Bench messages, built once: a template per envelope (sender + recipients) holds the
 * dot-stuffed body with its end-of-data mark and, right behind it, the envelope commands
 * (`MAIL FROM`, `RCPT TO`…, `DATA`), so one write can carry "this body + the next envelope"
 * (RFC 2920 §3.1: message content may begin a group, DATA ends one).
 *
 * Each slot copies the template into its own buffer once per session and then only rewrites
 * the digits of the Message-ID in place per message: unique Message-IDs without building or
 * allocating anything per message.
 */
import { encodeDataBody } from '../../drivers/smtp/dot-stuff.js';

/** `<runId.PPP-SSSSS-NNNNNNNNNNNN@mailprobe.invalid>`: part, slot, sequence. */
const PART_DIGITS = 3;
const SLOT_DIGITS = 5;
const SEQ_DIGITS = 12;
const ID_DIGITS = `${'0'.repeat(PART_DIGITS)}-${'0'.repeat(SLOT_DIGITS)}-${'0'.repeat(SEQ_DIGITS)}`;
export const MESSAGE_ID_DOMAIN = 'mailprobe.invalid';

const QUIT = Buffer.from('QUIT\r\n', 'latin1');
export const FILLER_LINE = 'The quick brown fox jumps over the lazy dog; mailprobe bench filler text 0123';

export interface MessageTemplate {
  /** Body (dot-stuffed, `CRLF.CRLF` included) followed by the envelope commands. */
  readonly bytes: Buffer;
  readonly bodyLength: number;
  /** Offset of the Message-ID digits in the body. */
  readonly idOffset: number;
  /** End offsets (exclusive) of `MAIL FROM`, each `RCPT TO`, and `DATA` lines in `bytes`. */
  readonly mailEnd: number;
  readonly rcptEnds: readonly number[];
  readonly dataEnd: number;
}

export interface TemplateInput {
  readonly from: string;
  readonly rcpt: readonly string[];
  /** Whole message size, headers included. */
  readonly sizeBytes: number;
  readonly runId: string;
}

export function buildTemplate(x: TemplateInput): MessageTemplate {
  const idPrefix = `Message-ID: <${x.runId}.`;
  const headers =
    `${idPrefix}${ID_DIGITS}@${MESSAGE_ID_DOMAIN}>\r\n` +
    `From: <${x.from}>\r\n` +
    `To: ${x.rcpt.map((r) => `<${r}>`).join(', ')}\r\n` +
    'Subject: mailprobe bench\r\n' +
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n` +
    `X-Mailprobe-Bench: ${x.runId}\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
  let text = headers;
  const line = `${FILLER_LINE}\r\n`;
  while (text.length + line.length <= x.sizeBytes) text += line;
  const rest = x.sizeBytes - text.length - 2;
  text += rest > 0 ? `${FILLER_LINE.slice(0, rest)}\r\n` : 'x\r\n';
  const body = encodeDataBody(Buffer.from(text, 'latin1'));
  const mail = Buffer.from(`MAIL FROM:<${x.from}>\r\n`, 'latin1');
  const rcpts = x.rcpt.map((r) => Buffer.from(`RCPT TO:<${r}>\r\n`, 'latin1'));
  const data = Buffer.from('DATA\r\n', 'latin1');
  const bytes = Buffer.concat([body, mail, ...rcpts, data]);
  let end = body.length + mail.length;
  const mailEnd = end;
  const rcptEnds = rcpts.map((r) => (end += r.length));
  return { bytes, bodyLength: body.length, idOffset: idPrefix.length, mailEnd, rcptEnds, dataEnd: end + data.length };
}

/** Templates by envelope, bounded (one per distinct sender/recipients, i.e. per user at most). */
export class TemplateCache {
  readonly #input: Omit<TemplateInput, 'from' | 'rcpt'>;
  readonly #cache = new Map<string, MessageTemplate>();
  #last: { from: string; rcpt: readonly string[]; template: MessageTemplate } | undefined;
  static readonly MAX = 1024;

  constructor(input: Omit<TemplateInput, 'from' | 'rcpt'>) {
    this.#input = input;
  }

  get(from: string, rcpt: readonly string[]): MessageTemplate {
    // The same envelope as the last call (a run with fixed --from/--rcpt): no key to build.
    if (from === this.#last?.from && rcpt === this.#last.rcpt) return this.#last.template;
    const key = `${from}\n${rcpt.join('\n')}`;
    let t = this.#cache.get(key);
    if (t === undefined) {
      t = buildTemplate({ ...this.#input, from, rcpt });
      if (this.#cache.size >= TemplateCache.MAX) this.#cache.clear();
      this.#cache.set(key, t);
    }
    this.#last = { from, rcpt, template: t };
    return t;
  }
}

/**
 * One slot's copy of a template and views into it. Views are made at load (once per session),
 * so sending a message allocates nothing.
 */
export class SlotMessage {
  readonly #part: number;
  readonly #slot: number;
  #buf: Buffer = Buffer.alloc(0);
  #seq = 0;
  #idAt = 0;
  #loaded: MessageTemplate | undefined;
  /** QUIT was written over the start of the envelope behind the body (bodyAndQuit). */
  #tailDirty = false;
  body: Buffer = this.#buf;
  envelope: Buffer = this.#buf;
  bodyAndEnvelope: Buffer = this.#buf;
  /** Each envelope command alone (no PIPELINING). */
  commands: Buffer[] = [];

  /** A slot's message buffer: `part` (worker/shard) and `slot` make its Message-IDs unique. */
  constructor(part: number, slot: number) {
    this.#part = part;
    this.#slot = slot;
  }

  /** Copy `t` in and stamp this slot's part/slot numbers into the Message-ID. */
  load(t: MessageTemplate): void {
    // The same envelope as the last session: the buffer and its views are already right, once
    // the envelope its last message's QUIT was written over is put back.
    if (this.#loaded === t) {
      this.#restoreTail();
      return;
    }
    this.#loaded = t;
    this.#tailDirty = false;
    if (this.#buf.length < t.bytes.length) this.#buf = Buffer.allocUnsafe(t.bytes.length);
    t.bytes.copy(this.#buf, 0);
    const buf = this.#buf;
    const at = t.idOffset;
    writeDigits(buf, at, PART_DIGITS, this.#part);
    writeDigits(buf, at + PART_DIGITS + 1, SLOT_DIGITS, this.#slot);
    this.#idAt = at + PART_DIGITS + 1 + SLOT_DIGITS + 1;
    this.body = buf.subarray(0, t.bodyLength);
    this.envelope = buf.subarray(t.bodyLength, t.dataEnd);
    this.bodyAndEnvelope = buf.subarray(0, t.dataEnd);
    const ends = [t.mailEnd, ...t.rcptEnds, t.dataEnd];
    this.commands = ends.map((end, i) => buf.subarray(i === 0 ? t.bodyLength : ends[i - 1]!, end));
  }

  /**
   * The body followed by `QUIT` (RFC 2920 §3.1: message content may start a group and QUIT end
   * it), written over the envelope behind the body; next() puts the envelope back.
   */
  bodyAndQuit(): Buffer {
    const t = this.#loaded!;
    QUIT.copy(this.#buf, t.bodyLength);
    this.#tailDirty = true;
    return this.#buf.subarray(0, t.bodyLength + QUIT.length);
  }

  /** Give the body the next Message-ID; returns its sequence number. */
  next(): number {
    this.#restoreTail();
    this.#seq++;
    writeDigits(this.#buf, this.#idAt, SEQ_DIGITS, this.#seq);
    return this.#seq;
  }

  /** Put back the start of the envelope that bodyAndQuit() wrote QUIT over. */
  #restoreTail(): void {
    if (!this.#tailDirty) return;
    const t = this.#loaded!;
    t.bytes.copy(this.#buf, t.bodyLength, t.bodyLength, t.bodyLength + QUIT.length);
    this.#tailDirty = false;
  }

  /** The current Message-ID, `<…>` included (e2e matches deliveries by it). */
  messageId(): string {
    const start = this.#buf.lastIndexOf('<', this.#idAt);
    const end = this.#buf.indexOf('>', this.#idAt);
    return this.#buf.toString('latin1', start, end + 1);
  }
}

function writeDigits(buf: Buffer, at: number, width: number, n: number): void {
  let v = n;
  for (let i = at + width - 1; i >= at; i--) {
    buf[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}
