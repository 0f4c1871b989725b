import { describe, expect, it } from 'vitest';
import { metricName } from '../../../drivers/imap/metrics.js';

describe('metric names', () => {
  it('names known verbs imap.<verb> and everything else imap.other', () => {
    expect(metricName('UID FETCH')).toBe('imap.uid_fetch');
    expect(metricName('select')).toBe('imap.select');
    expect(metricName('XYZZY')).toBe('imap.other');
  });
});
