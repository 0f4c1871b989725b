/**
 * How what happened becomes a verdict. The rule: blame the server only for what the RFCs
 * forbid; anything that only prevents a decision (slowness, a start state not reached, a
 * certificate the user has not trusted) is inconclusive; only mailprobe's own failures are
 * `error`.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { Protocol } from '../../drivers/target.js';
import type { CheckStatus, Level } from '../report-types.js';

export interface Verdict {
  status: CheckStatus;
  message: string;
}

const STARTTLS_REF: Readonly<Record<Protocol, string>> = {
  smtp: 'RFC 3207 §4.2',
  imap: 'RFC 9051 §6.2.1',
  pop3: 'RFC 2595 §4',
};

/** An unmet expectation: fail for a MUST, warn for SHOULD/MAY, unless the step says otherwise. */
export function defaultElse(level: Level): CheckStatus {
  return level === 'MUST' ? 'fail' : 'warn';
}

/** Raised while bringing a connection to the check's start state (not the steps' fault). */
export class StartStateError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * An exception from a step. `unmet` is the verdict an unmet expectation of this step gets
 * (its `else`, or the level's default): a server that hangs up or garbles a reply broke the
 * step the same way a wrong reply does.
 */
export function classifyStepError(err: unknown, where: string, protocol: Protocol, unmet: CheckStatus): Verdict {
  if (err instanceof StartStateError) return classifyStartError(err.cause);
  if (err instanceof MailprobeError) {
    switch (err.code) {
      case 'EABORTED':
        throw err;
      case 'ESTARTTLS_TRAILING':
        return { status: unmet, message: `${err.message}: nothing sent in plaintext after the go-ahead may be used (${STARTTLS_REF[protocol]}) (${where})` };
      case 'ETLS_HANDSHAKE':
      case 'ECLOSED':
      case 'EPROTOCOL':
      case 'ELIMIT':
        return { status: unmet, message: `${err.message} (${where})` };
      case 'ETLS_VERIFY':
        return { status: 'inconclusive', message: `${err.message}; ${err.hint ?? ''}`.trim() };
      case 'ETIMEDOUT':
        return { status: 'inconclusive', message: `${err.message}; the server may just be slow (RFC 5321 §4.5.3.2 allows minutes): raise --timeout (${where})` };
      case 'ECONNECT':
      case 'EDNS':
        return { status: 'inconclusive', message: err.message };
      case 'ESUITE':
      case 'ECONFIG':
        return { status: 'error', message: `${where}: ${err.message}` };
      default:
        return { status: 'error', message: `${err.code}: ${err.message} (${where})` };
    }
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { status: 'error', message: `harness error: ${text} (${where})` };
}

/** The start state could not be reached: nothing was judged. */
export function classifyStartError(err: unknown): Verdict {
  if (err instanceof MailprobeError) {
    if (err.code === 'EABORTED') throw err;
    if (err.code === 'ESUITE' || err.code === 'ECONFIG') return { status: 'error', message: err.message };
    const hint = err.hint ? `; ${err.hint}` : '';
    return { status: 'inconclusive', message: `could not reach the check's start state: ${err.message}${hint}` };
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { status: 'error', message: `harness error while connecting: ${text}` };
}
