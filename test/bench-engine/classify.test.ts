import { describe, expect, it } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import { classifyError, isUnreachable, RejectedReply, smtpReplyClass } from '../../engine/load/classify.js';
import { RunStats } from '../../engine/load/run-stats.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('error classification', () => {
  it.each([
    [new MailprobeError('ECONNECT', 'cannot connect', {}, { cause: refused }), 'refused'],
    [new MailprobeError('ECONNECT', 'cannot connect', {}, { cause: Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }) }), 'connect'],
    [new MailprobeError('EDNS', 'cannot resolve'), 'dns'],
    [new MailprobeError('ETIMEDOUT', 'no reply', { phase: 'data' }), 'timeout'],
    [new MailprobeError('ETLS_HANDSHAKE', 'handshake'), 'tls'],
    [new MailprobeError('ETLS_VERIFY', 'verify'), 'tls'],
    [new MailprobeError('ESTARTTLS', 'not offered'), 'tls'],
    [new MailprobeError('ECLOSED', 'closed'), 'closed'],
    [new MailprobeError('EPROTOCOL', 'garbage'), 'protocol'],
    [new MailprobeError('ELIMIT', 'too long'), 'protocol'],
    [new MailprobeError('ESTARTTLS_TRAILING', 'injection'), 'protocol'],
    [new RejectedReply('smtp.rcpt', '4xx', '452 too many'), '4xx'],
    [new RejectedReply('imap.login', 'no', 'NO bad password'), 'no'],
    [new Error('a bug'), 'other'],
    ['a string', 'other'],
  ])('%s → %s', (err, cls) => {
    expect(classifyError(err)).toBe(cls);
  });

  it('maps SMTP reply codes to 4xx and 5xx', () => {
    expect([421, 451, 554, 530, 250].map(smtpReplyClass)).toEqual(['4xx', '4xx', '5xx', '5xx', 'protocol']);
  });

  it('knows which classes mean the target is unreachable', () => {
    expect(['refused', 'connect', 'dns', 'timeout', '5xx'].map((c) => isUnreachable(c as never))).toEqual([true, true, true, false, false]);
  });

  it('counts by class and keeps a few distinct messages per class, bounded', () => {
    const s = new RunStats();
    for (let i = 0; i < 100; i++) s.error(new RejectedReply('smtp.data', '5xx', `554 message ${i % 5}`));
    s.error(new MailprobeError('ETIMEDOUT', 'no reply'));
    expect(s.errorCounts()).toEqual({ timeout: 1, '5xx': 100 });
    expect(s.errorSamples()['5xx']).toHaveLength(3);
    expect(s.errorSamples()['timeout']).toEqual(['no reply']);
  });
});
