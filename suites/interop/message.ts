/**
 * The round-trip test message: lines that need dot-stuffing, 8-bit UTF-8 text and a line of
 * the longest length RFC 5321 allows (§4.5.3.1.6: 1000 octets with CRLF), so any transformation
 * on the way shows up as a byte difference.
 */
export function interopMessage(id: string, from: string, to: string, now = new Date()): Buffer {
  const longLine = `long line ${'x'.repeat(998 - 'long line '.length)}`;
  return Buffer.from(
    [
      `From: <${from}>`,
      `To: <${to}>`,
      `Subject: mailprobe interop ${id}`,
      `Message-ID: <${id}@mailprobe.invalid>`,
      `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '.a line that starts with a dot',
      '..two dots',
      '.',
      'Grüße, 8-bit: \u00e9\u00e8 \u65e5\u672c\u8a9e',
      longLine,
      'end',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** The submitted message must appear unchanged at the end of what the mailbox returns
 * (servers prepend trace headers: Received, Return-Path, Delivered-To). */
export function arrivedIntact(sent: Buffer, stored: Buffer): boolean {
  return stored.length >= sent.length && stored.subarray(stored.length - sent.length).equals(sent);
}

/** Where the first difference is, for the failure message. */
export function firstDifference(sent: Buffer, stored: Buffer): string {
  const offset = stored.length - sent.length;
  if (offset < 0) return `stored message is shorter (${stored.length} < ${sent.length} bytes)`;
  for (let i = 0; i < sent.length; i++) {
    if (sent[i] !== stored[offset + i]) {
      const line = sent.subarray(0, i).toString('utf8').split('\r\n').length;
      return `first difference at line ${line} of the message (byte ${i}): sent ${JSON.stringify(sent.subarray(i, i + 20).toString('latin1'))}, got ${JSON.stringify(stored.subarray(offset + i, offset + i + 20).toString('latin1'))}`;
    }
  }
  return 'no difference';
}
