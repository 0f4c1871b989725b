/**
 * Which in-flight command an untagged response belongs to, when several are pipelined. IMAP
 * does not say (RFC 9051 §5.5, §7: untagged data is not tied to a tag), and servers run
 * pipelined commands concurrently and complete them out of order (Dovecot answers a STATUS
 * before an earlier NOOP). So: an ESEARCH goes to the command its `(TAG ...)` names; other data
 * goes to the oldest command that could have caused it; anything else to the oldest in flight.
 */
import type { UntaggedResponse } from './response-types.js';

const CAUSES: Readonly<Partial<Record<UntaggedResponse['kind'], readonly string[]>>> = {
  status: ['STATUS', 'LIST'],
  list: ['LIST'],
  lsub: ['LSUB'],
  search: ['SEARCH', 'UID SEARCH'],
  esearch: ['SEARCH', 'UID SEARCH'],
  fetch: ['FETCH', 'UID FETCH', 'STORE', 'UID STORE'],
  capability: ['CAPABILITY'],
  enabled: ['ENABLE'],
  id: ['ID'],
  namespace: ['NAMESPACE'],
  flags: ['SELECT', 'EXAMINE'],
  exists: ['SELECT', 'EXAMINE', 'APPEND'],
  recent: ['SELECT', 'EXAMINE'],
  expunge: ['EXPUNGE', 'UID EXPUNGE', 'MOVE', 'UID MOVE', 'CLOSE'],
  vanished: ['EXPUNGE', 'UID EXPUNGE', 'MOVE', 'UID MOVE', 'UID FETCH', 'SELECT', 'EXAMINE'],
};

export interface InFlight {
  readonly tag: string;
  /** Upper-cased verb(s). */
  readonly name: string;
}

/**
 * The index in `inFlight` (oldest first; completed entries undefined) that `r` belongs to,
 * or -1 when nothing is in flight.
 */
export function attributeUntagged(r: UntaggedResponse, inFlight: readonly (InFlight | undefined)[]): number {
  if (r.kind === 'esearch' && r.correlator !== undefined) {
    const byTag = inFlight.findIndex((c) => c?.tag === r.correlator);
    if (byTag !== -1) return byTag;
  }
  const causes = r.kind === 'condition' && r.code?.name === 'COPYUID' ? ['MOVE', 'UID MOVE'] : CAUSES[r.kind];
  if (causes !== undefined) {
    const owner = inFlight.findIndex((c) => c !== undefined && causes.includes(c.name));
    if (owner !== -1) return owner;
  }
  return inFlight.findIndex((c) => c !== undefined);
}
