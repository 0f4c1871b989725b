import { describe, expect, it } from 'vitest';
import { attributeUntagged } from '../../../drivers/imap/attribution.js';
import { parseResponse } from '../../../drivers/imap/response.js';
import type { UntaggedResponse } from '../../../drivers/imap/response-types.js';

const untagged = (s: string) => parseResponse(Buffer.from(s)) as UntaggedResponse;
const inFlight = [
  { tag: 'A1', name: 'NOOP' },
  { tag: 'A2', name: 'UID FETCH' },
  { tag: 'A3', name: 'STATUS' },
  { tag: 'A4', name: 'UID SEARCH' },
];

describe('attributing untagged data among pipelined commands', () => {
  it('gives data to the oldest command that could have caused it', () => {
    expect(attributeUntagged(untagged('* STATUS INBOX (MESSAGES 1)'), inFlight)).toBe(2);
    expect(attributeUntagged(untagged('* 1 FETCH (UID 5)'), inFlight)).toBe(1);
    expect(attributeUntagged(untagged('* SEARCH 1 2'), inFlight)).toBe(3);
  });

  it('gives an ESEARCH to the command its TAG names (RFC 4731 §3.1)', () => {
    expect(attributeUntagged(untagged('* ESEARCH (TAG "A4") UID COUNT 2'), inFlight)).toBe(3);
  });

  it('gives anything else to the oldest command in flight, skipping completed ones', () => {
    expect(attributeUntagged(untagged('* 3 EXISTS'), inFlight)).toBe(0);
    expect(attributeUntagged(untagged('* OK still here'), [undefined, ...inFlight.slice(1)])).toBe(1);
    expect(attributeUntagged(untagged('* OK nobody'), [undefined])).toBe(-1);
  });
});
