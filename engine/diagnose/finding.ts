/**
 * Building findings from the catalogue: the rule says what it saw and shows the transcript
 * lines; the catalogue supplies the title, why it matters and the fix.
 */
import { formatAddress } from '../../drivers/transport.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { Finding, Severity } from '../report-types.js';
import { CATALOGUE, type FindingId } from './catalogue.js';
import type { Endpoint } from './types.js';

export interface FindingInput {
  /** What was seen, in a sentence or two. */
  readonly seen: string;
  readonly evidence?: readonly string[];
  /** A severity other than the catalogue's default (explicit ports, --insecure, days left). */
  readonly severity?: Severity;
}

/** Evidence lines kept per finding: enough to show the point, not the whole conversation. */
const MAX_EVIDENCE = 12;

/** `host:port` as findings name their target. */
export function targetOf(endpoint: Pick<Endpoint, 'host' | 'port'>): string {
  return formatAddress(endpoint.host, endpoint.port);
}

export function finding(id: FindingId, endpoint: Pick<Endpoint, 'host' | 'port'> | string, input: FindingInput): Finding {
  const entry = CATALOGUE[id];
  const evidence = (input.evidence ?? []).slice(0, MAX_EVIDENCE);
  return {
    id,
    severity: input.severity ?? entry.severity,
    target: typeof endpoint === 'string' ? endpoint : targetOf(endpoint),
    ...(typeof endpoint === 'string' ? {} : { port: endpoint.port }),
    title: entry.title,
    detail: `${input.seen} ${entry.why}`,
    fix: entry.fix,
    evidence,
  };
}

/** Transcript entries as evidence lines (`S: 220 …`, `C: EHLO …`, `I: …`). */
export function evidenceLines(entries: readonly TranscriptEntry[], keep: (e: TranscriptEntry) => boolean = () => true): string[] {
  return entries.filter(keep).map((e) => `${e.dir}: ${e.text}`);
}

/** The last `n` entries of a transcript as evidence lines. */
export function transcriptTail(entries: readonly TranscriptEntry[], n = 8): string[] {
  return evidenceLines(entries.slice(-n));
}
