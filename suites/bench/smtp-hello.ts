/**
 * The greeting and EHLO of a bench session, read by callback through a ReplyPump: one promise
 * for both instead of one per reply and per async reader (a run with a new connection per
 * message pays them per message). Each is timed from when it was waited for (the greeting
 * from the end of the connect, EHLO from its write) to its reply.
 */
import type { ReadOptions, Transport, WriteOptions } from '../../drivers/transport.js';
import { RejectedReply, smtpReplyClass } from '../../engine/load/classify.js';
import type { Metric } from '../../engine/load/metrics.js';
import { ReplyPump, type ReplySink } from './smtp-reply-pump.js';
import type { LeanReply } from './smtp-wire.js';

export interface HelloOptions {
  readonly ehloLine: Buffer;
  readonly write: WriteOptions;
  readonly greetingRead: ReadOptions;
  readonly commandRead: ReadOptions;
  readonly greeting: Metric;
  readonly ehlo: Metric;
  readonly now: () => number;
}

/** The greeting (when `greet`) and the EHLO reply; text only when `withText`. */
export interface HelloReplies {
  readonly greeting: LeanReply | undefined;
  readonly ehlo: LeanReply;
}

/**
 * Read the greeting (unless `greet` is false: after STARTTLS there is none), send EHLO and
 * read its reply. A greeting other than 220 or an EHLO reply other than 250 fails with a
 * RejectedReply; read failures as the transport reports them.
 */
export function hello(t: Transport, o: HelloOptions, greet: boolean, withText: boolean): Promise<HelloReplies> {
  return new Promise<HelloReplies>((resolve, reject) => new HelloExchange(t, o, greet, withText, resolve, reject));
}

class HelloExchange implements ReplySink {
  readonly #o: HelloOptions;
  readonly #pump: ReplyPump;
  readonly #withText: boolean;
  readonly #resolve: (r: HelloReplies) => void;
  readonly #reject: (err: unknown) => void;
  #greeting: LeanReply | undefined;
  #waiting: 'greeting' | 'ehlo';
  #at: number;

  constructor(t: Transport, o: HelloOptions, greet: boolean, withText: boolean, resolve: (r: HelloReplies) => void, reject: (err: unknown) => void) {
    this.#o = o;
    this.#withText = withText;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#pump = new ReplyPump(t, this);
    this.#at = o.now();
    if (greet) {
      this.#waiting = 'greeting';
      this.#pump.read(o.greetingRead, withText);
    } else {
      this.#waiting = 'ehlo';
      this.#sendEhlo();
    }
  }

  reply(code: number, extensions: number, lines: string[] | undefined): boolean {
    const o = this.#o;
    const now = o.now();
    if (this.#waiting === 'greeting') {
      o.greeting.record(this.#at, now - this.#at, code === 220);
      if (code !== 220) {
        this.#reject(new RejectedReply('smtp.greeting', smtpReplyClass(code), `greeting ${code}`));
        return false;
      }
      this.#greeting = { code, extensions: 0, lines };
      this.#waiting = 'ehlo';
      this.#at = now;
      this.#sendEhlo();
      return false;
    }
    o.ehlo.record(this.#at, now - this.#at, code === 250);
    if (code !== 250) this.#reject(new RejectedReply('smtp.ehlo', smtpReplyClass(code), `EHLO answered ${code}`));
    else this.#resolve({ greeting: this.#greeting, ehlo: { code, extensions, lines } });
    return false;
  }

  failed(err: unknown): void {
    this.#reject(err);
  }

  #sendEhlo(): void {
    this.#pump.send(this.#o.ehloLine, this.#o.write);
    // The EHLO reply's text (the report's capabilities) is kept on the same terms as the greeting's.
    this.#pump.read(this.#o.commandRead, this.#withText);
  }
}
