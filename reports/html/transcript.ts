/**
 * A check's conversation as a block of lines, each coloured by who spoke: the client (C), the
 * server (S) or mailprobe itself (I, harness notes). The text of each line is transcriptLine's,
 * so it reads and copies the same as in the console and JUnit reports.
 */
import type { TranscriptEntry } from '../../drivers/transcript.js';
import { transcriptLine } from '../transcript-text.js';
import { html, type Html } from './markup.js';

const WHO = { C: 'client', S: 'server', I: 'mailprobe' } as const;

export function transcript(entries: readonly TranscriptEntry[]): Html {
  return html`<pre class="mp-transcript">${entries.map(
    (e) => html`<span class="mp-line mp-dir-${e.dir}" title="${WHO[e.dir] ?? e.dir}">${transcriptLine(e)}</span>\n`,
  )}</pre>`;
}

/** The key to the colours, shown once above the first transcript. */
export function transcriptLegend(): Html {
  return html`<p class="mp-legend">Transcripts: <span class="mp-line mp-dir-C">C: client</span> · <span class="mp-line mp-dir-S">S: server</span> · <span class="mp-line mp-dir-I">I: mailprobe note</span>; times in seconds since the connection opened.</p>`;
}
