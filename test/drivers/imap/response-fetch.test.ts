import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { parseResponse } from '../../../drivers/imap/response.js';
import type { FetchResponse } from '../../../drivers/imap/response-types.js';

function fetchOf(input: string | Buffer): FetchResponse {
  const r = parseResponse(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  if (r.kind !== 'fetch') throw new Error(`not a fetch: ${r.kind}`);
  return r;
}

describe('response: FETCH items typed', () => {
  it('types UID, FLAGS, RFC822.SIZE, INTERNALDATE, MODSEQ and OBJECTID items', () => {
    const r = fetchOf('* 12 FETCH (UID 4827313 FLAGS (\\Seen $Label1) RFC822.SIZE 44827 INTERNALDATE "17-Jul-1996 02:44:25 -0700" MODSEQ (12121231000) EMAILID (M6d99ac3275bb4e) THREADID NIL)');
    expect(r.seq).toBe(12);
    expect(r.attributes).toMatchObject({
      uid: 4827313,
      flags: ['\\Seen', '$Label1'],
      rfc822Size: 44827,
      internalDate: '17-Jul-1996 02:44:25 -0700',
      modseq: 12121231000n,
      emailId: 'M6d99ac3275bb4e',
      threadId: null,
    });
  });

  it('types ENVELOPE with address lists, groups and NIL fields', () => {
    const r = fetchOf(
      '* 1 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700" "IMAP4rev1 WG mtg summary" (("Terry Gray" NIL "gray" "cac.washington.edu")) NIL NIL ' +
        '((NIL NIL "imap" "cac.washington.edu")(NIL NIL "undisclosed" NIL)(NIL NIL NIL NIL)) NIL NIL NIL "<B27397-0100000@cac.washington.edu>"))',
    );
    expect(r.attributes.envelope).toEqual({
      date: 'Wed, 17 Jul 1996 02:23:25 -0700',
      subject: 'IMAP4rev1 WG mtg summary',
      from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
      sender: null,
      replyTo: null,
      to: [
        { name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' },
        { name: null, adl: null, mailbox: 'undisclosed', host: null },
        { name: null, adl: null, mailbox: null, host: null },
      ],
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: '<B27397-0100000@cac.washington.edu>',
    });
  });

  it('keeps BODY[] bytes exactly as sent, keyed by item name without the partial', () => {
    const body = Buffer.concat([Buffer.from('.\r\n..x\r\n', 'latin1'), Buffer.from([0xff, 0x00, 0x80])]);
    const input = Buffer.concat([
      Buffer.from(`* 3 FETCH (BODY[] {${body.length}}\r\n`),
      body,
      Buffer.from(' BODY[HEADER.FIELDS (subject)]<0> "Subject: hi" BODY[2] NIL BINARY[1] ~{1}\r\n\0 BINARY.SIZE[1] 1)'),
    ]);
    const a = fetchOf(input).attributes;
    expect(a.bodies.get('BODY[]')?.bytes?.equals(body)).toBe(true);
    expect(a.bodies.get('BODY[HEADER.FIELDS (SUBJECT)]')).toEqual({ section: 'HEADER.FIELDS (subject)', origin: 0, bytes: Buffer.from('Subject: hi') });
    expect(a.bodies.get('BODY[2]')?.bytes).toBeNull();
    expect([...(a.bodies.get('BINARY[1]')?.bytes ?? [])]).toEqual([0]);
    expect(a.binarySizes.get('1')).toBe(1);
  });

  it('keeps RFC822 items and BODYSTRUCTURE, and unknown items as tokens', () => {
    const a = fetchOf('* 1 FETCH (RFC822.HEADER {4}\r\nab\r\n BODYSTRUCTURE ("text" "plain" NIL NIL NIL "7bit" 3 1) X-GM-LABELS (\\Inbox))').attributes;
    expect(a.bodies.get('RFC822.HEADER')?.bytes?.toString()).toBe('ab\r\n');
    expect(a.bodyStructure?.items.length).toBe(8);
    expect(a.other.get('X-GM-LABELS')?.kind).toBe('list');
  });

  it('is safe against hostile item names ("__proto__")', () => {
    const a = fetchOf('* 1 FETCH (__proto__ (x) constructor 1)').attributes;
    expect(a.other.get('__PROTO__')?.kind).toBe('list');
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
  });

  it.each([
    ['an odd number of items', '* 1 FETCH (UID)'],
    ['UID that is not a number', '* 1 FETCH (UID abc)'],
    ['FLAGS that is not a list', '* 1 FETCH (FLAGS \\Seen)'],
    ['a short ENVELOPE', '* 1 FETCH (ENVELOPE (NIL NIL))'],
    ['an address of three fields', '* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "a")) NIL NIL NIL NIL NIL NIL NIL))'],
    ['MODSEQ without parentheses', '* 1 FETCH (MODSEQ 5)'],
    ['an item name that is a string', '* 1 FETCH ("UID" 5)'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      fetchOf(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect((err as Error).message).toMatch(/FETCH response for message 1/);
  });
});
