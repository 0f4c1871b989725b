/**
 * Transcript entries as plain text lines (`  0.012 S: 220 mx ESMTP`), shared by the console,
 * JUnit and Markdown reporters. The lines are raw: each reporter escapes them for its format.
 */
import type { TranscriptEntry } from '../drivers/transcript.js';

/** One entry: seconds since the connection began (ms resolution), direction, text. */
export function transcriptLine(entry: TranscriptEntry): string {
  const t = Number.isFinite(entry.t) ? (entry.t / 1000).toFixed(3) : '?';
  return `${t.padStart(7)} ${entry.dir}: ${entry.text}`;
}

/** All entries as lines. */
export function transcriptLines(entries: readonly TranscriptEntry[]): string[] {
  return entries.map(transcriptLine);
}

/**
 * The last `max` entries as lines, led by a note saying how many earlier ones were left out:
 * the end of a conversation is where a failure shows.
 */
export function transcriptTail(entries: readonly TranscriptEntry[], max: number): string[] {
  const keep = Math.max(0, Math.floor(max));
  if (entries.length <= keep) return transcriptLines(entries);
  const omitted = entries.length - keep;
  const note = `(${omitted} earlier ${omitted === 1 ? 'line' : 'lines'} not shown)`;
  return [note, ...transcriptLines(entries.slice(omitted))];
}
