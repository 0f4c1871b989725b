/**
 * The message APPEND uploads (imap-session) and e2e's watchers recognise: the same headers as
 * the SMTP bench message, not dot-stuffed, built once per thread.
 */
import type { ScenarioConfig } from './config.js';
import { FILLER_LINE, MESSAGE_ID_DOMAIN } from './message.js';

export function rawMessage(config: Pick<ScenarioConfig, 'sizeBytes' | 'runId' | 'clientName'>): Buffer {
  let text =
    `Message-ID: <${config.runId}.append@${MESSAGE_ID_DOMAIN}>\r\n` +
    `From: <mailprobe@${config.clientName}>\r\n` +
    'Subject: mailprobe bench\r\n' +
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n` +
    `X-Mailprobe-Bench: ${config.runId}\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
  const line = `${FILLER_LINE}\r\n`;
  while (text.length + line.length <= config.sizeBytes) text += line;
  return Buffer.from(text, 'latin1');
}
