import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { parseResponse } from '../../../drivers/imap/response.js';
import { tokenText } from '../../../drivers/imap/tokens.js';

const parse = (s: string) => parseResponse(Buffer.from(s, 'utf8'));

describe('response: untagged data', () => {
  it('condition responses (RFC 9051 §7.1)', () => {
    for (const status of ['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']) {
      expect(parse(`* ${status} [ALERT] hi`)).toMatchObject({ kind: 'condition', status, code: { name: 'ALERT' }, text: 'hi' });
    }
  });

  it('CAPABILITY and ENABLED', () => {
    expect(parse('* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LITERAL+')).toMatchObject({
      kind: 'capability',
      capabilities: ['IMAP4rev1', 'STARTTLS', 'AUTH=PLAIN', 'LITERAL+'],
    });
    expect(parse('* ENABLED CONDSTORE')).toMatchObject({ kind: 'enabled', capabilities: ['CONDSTORE'] });
  });

  it('EXISTS, RECENT, EXPUNGE', () => {
    expect(parse('* 172 EXISTS')).toMatchObject({ kind: 'exists', count: 172 });
    expect(parse('* 1 RECENT')).toMatchObject({ kind: 'recent', count: 1 });
    expect(parse('* 44 EXPUNGE')).toMatchObject({ kind: 'expunge', seq: 44 });
  });

  it('LIST and LSUB, with NIL delimiter, literal names and extended data (RFC 5258)', () => {
    expect(parse('* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"')).toMatchObject({
      kind: 'list',
      flags: ['\\HasNoChildren', '\\Sent'],
      delimiter: '/',
      mailbox: 'Sent Items',
      extended: [],
    });
    expect(parse('* LSUB () NIL {5}\r\nINBOX')).toMatchObject({ kind: 'lsub', delimiter: null, mailbox: 'INBOX' });
    const ext = parse('* LIST () "." foo ("CHILDINFO" ("SUBSCRIBED"))');
    expect(ext.kind === 'list' && ext.extended.map(tokenText)).toEqual(['"CHILDINFO"', '("SUBSCRIBED")']);
  });

  it('STATUS', () => {
    const r = parse('* STATUS "blurdy bloop" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 3 UNSEEN 0 HIGHESTMODSEQ 7011231777)');
    expect(r).toMatchObject({ kind: 'status', mailbox: 'blurdy bloop', attributes: { messages: 231, uidNext: 44292, uidValidity: 3, unseen: 0, highestModseq: 7011231777n } });
  });

  it('SEARCH, empty, and with (MODSEQ n) (RFC 7162 §3.1.5)', () => {
    expect(parse('* SEARCH 2 3 6')).toMatchObject({ kind: 'search', ids: [2, 3, 6], modseq: undefined });
    expect(parse('* SEARCH')).toMatchObject({ kind: 'search', ids: [] });
    expect(parse('* SEARCH 2 5 (MODSEQ 917162500)')).toMatchObject({ kind: 'search', ids: [2, 5], modseq: 917162500n });
  });

  it('ESEARCH (RFC 4731)', () => {
    expect(parse('* ESEARCH (TAG "A282") UID MIN 2 COUNT 3 ALL 2,10:11')).toMatchObject({
      kind: 'esearch',
      correlator: 'A282',
      uid: true,
      min: 2,
      count: 3,
      all: '2,10:11',
    });
  });

  it('FLAGS, ID, NAMESPACE, VANISHED', () => {
    expect(parse('* FLAGS (\\Answered \\Seen $Junk)')).toMatchObject({ kind: 'flags', flags: ['\\Answered', '\\Seen', '$Junk'] });
    const id = parse('* ID ("name" "Dovecot" "version" NIL)');
    expect(id.kind === 'id' && Object.fromEntries(id.params ?? [])).toEqual({ name: 'Dovecot', version: null });
    expect(parse('* ID NIL')).toMatchObject({ kind: 'id', params: null });
    expect(parse('* NAMESPACE (("" "/")) NIL (("#shared/" "/" "X-PARAM" ("a")))')).toMatchObject({
      kind: 'namespace',
      personal: [{ prefix: '', delimiter: '/', extensions: [] }],
      other: null,
      shared: [{ prefix: '#shared/', delimiter: '/' }],
    });
    expect(parse('* VANISHED (EARLIER) 41,43:116')).toMatchObject({ kind: 'vanished', earlier: true, uids: '41,43:116' });
    expect(parse('* VANISHED 405')).toMatchObject({ kind: 'vanished', earlier: false, uids: '405' });
  });

  it('keeps anything else as tokens', () => {
    expect(parse('* QUOTA "" (STORAGE 10 512)')).toMatchObject({ kind: 'other', name: 'QUOTA', number: undefined });
    expect(parse('* 5 XWHATEVER foo')).toMatchObject({ kind: 'other', name: 'XWHATEVER', number: 5 });
  });

  it.each([
    ['FETCH without a list', '* 1 FETCH UID 5'],
    ['LIST without flags', '* LIST "/" INBOX'],
    ['SEARCH with an atom', '* SEARCH 1 two'],
    ['STATUS with an odd list', '* STATUS INBOX (MESSAGES)'],
    ['NAMESPACE with two parts', '* NAMESPACE NIL NIL'],
    ['a number without a name', '* 5'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      parse(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });
});
