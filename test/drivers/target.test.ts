import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../drivers/target.js';
import { isMailprobeError } from '../../drivers/errors.js';

function configError(input: string): string {
  try {
    parseTarget(input);
  } catch (err) {
    if (isMailprobeError(err, 'ECONFIG')) return err.message;
    throw err;
  }
  throw new Error(`${input} parsed`);
}

describe('parseTarget', () => {
  it.each([
    ['smtp://mail.example.org', 'smtp://mail.example.org:25', 25, false, 'mx'],
    ['SMTPS://Mail.Example.org', 'smtps://mail.example.org:465', 465, true, 'submission'],
    ['submission://mx.test:2587', 'submission://mx.test:2587', 2587, false, 'submission'],
    ['submissions://mx.test', 'submissions://mx.test:465', 465, true, 'submission'],
    ['imap://127.0.0.1', 'imap://127.0.0.1:143', 143, false, 'mailbox'],
    ['imaps://[::1]', 'imaps://[::1]:993', 993, true, 'mailbox'],
    ['pop3://[FE80::1]:1110', 'pop3://[fe80::1]:1110', 1110, false, 'mailbox'],
    ['pop3s://host.test/', 'pop3s://host.test:995', 995, true, 'mailbox'],
  ])('%s', (input, url, port, implicitTls, role) => {
    expect(parseTarget(input)).toMatchObject({ url, port, implicitTls, role });
  });

  it('keeps a user name and strips IPv6 brackets from host', () => {
    expect(parseTarget('imap://alice%40mail.test@[::1]:143')).toMatchObject({ host: '::1', user: 'alice@mail.test', url: 'imap://alice%40mail.test@[::1]:143' });
  });

  it.each([
    ['mail.example.org', /not a URL/],
    ['http://x', /unknown scheme "http"/],
    ['smtp://host:0', /out of range/],
    ['smtp://host:70000', /out of range/],
    ['smtp://host:abc', /not a number/],
    ['smtp://::1', /brackets/],
    ['smtp://[::1', /unclosed/],
    ['smtp://bad_host!', /not a valid host/],
    ['smtp://host/path', /path or query/],
    ['smtp://us%zzer@host', /invalid %-escape/],
  ])('rejects %s', (input, message) => {
    expect(configError(input)).toMatch(message);
  });

  it.each(['smtp://user:s3cret@host', 'smtp://user:p@s3cret@host', 'smtpx://user:s3cret@host', 'smtp://user:s3cret@host/x', 'smtp://user:pa/s3cret@host'])(
    'never repeats a password from %s',
    (input) => {
      const message = configError(input);
      expect(message).not.toMatch(/s3cret/);
    },
  );
});
