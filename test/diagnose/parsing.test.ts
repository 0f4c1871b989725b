import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../drivers/errors.js';
import { classifyGreeting, endpointsFor, endpointUrl, looksRateLimited, parsePortList } from '../../engine/diagnose/index.js';
import { createLimiter } from '../../engine/diagnose/limiter.js';
import { classifyTlsError } from '../../engine/diagnose/raw-stream.js';

describe('greeting classification', () => {
  it.each([
    ['220 mx.example ESMTP Postfix\r\n', 'smtp', 'ok'],
    ['220-mx.example ESMTP (postscreen)\r\n', 'smtp', 'ok'],
    ['554 5.7.1 no SMTP service here', 'smtp', 'unavailable'],
    ['421 4.3.2 Service not available', 'smtp', 'unavailable'],
    ['421 4.7.0 mx Error: too many connections from 192.0.2.1', 'smtp', 'rate-limited'],
    ['421 4.7.0 try again later', 'smtp', 'rate-limited'],
    ['* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.', 'imap', 'ok'],
    ['* PREAUTH IMAP4rev1 server logged in as alice', 'imap', 'preauth'],
    ['* BYE Too many connections', 'imap', 'rate-limited'],
    ['* BYE shutting down', 'imap', 'unavailable'],
    ['+OK Dovecot ready.', 'pop3', 'ok'],
    ['-ERR [SYS/TEMP] overloaded', 'pop3', 'rate-limited'],
    ['-ERR go away', 'pop3', 'unavailable'],
  ] as const)('%s', (line, protocol, status) => {
    expect(classifyGreeting(line)).toMatchObject({ protocol, status });
  });

  it('recognises foreign banners, FTP among them despite its 220', () => {
    expect(classifyGreeting('SSH-2.0-OpenSSH_9.2p1')).toMatchObject({ protocol: undefined, foreign: 'SSH' });
    expect(classifyGreeting('HTTP/1.1 400 Bad Request')).toMatchObject({ protocol: undefined, foreign: 'HTTP' });
    expect(classifyGreeting('220 (vsFTPd 3.0.3)')).toMatchObject({ protocol: undefined, foreign: 'FTP' });
    expect(classifyGreeting('220 mail ESMTP ftp-free zone')).toMatchObject({ protocol: 'smtp' });
    expect(classifyGreeting('hello?')).toMatchObject({ protocol: undefined, foreign: undefined });
    expect(looksRateLimited('Error: too many connections')).toBe(true);
  });
});

describe('endpoints', () => {
  it('gives a bare host the seven mail ports with their roles (RFC 8314, RFC 6409)', () => {
    expect(endpointsFor(['mail.example.org'], undefined).map((e) => [e.port, e.expected, e.explicit])).toEqual([
      [25, 'smtp', false],
      [465, 'smtps', false],
      [587, 'submission', false],
      [143, 'imap', false],
      [993, 'imaps', false],
      [110, 'pop3', false],
      [995, 'pop3s', false],
    ]);
  });

  it('takes --ports with optional roles, and URLs in the role of their scheme', () => {
    const ports = parsePortList(['25,2587=submission', '2525']);
    expect(ports).toEqual([
      { port: 25, expected: 'smtp' },
      { port: 2587, expected: 'submission' },
      { port: 2525, expected: undefined },
    ]);
    const e = endpointsFor(['MX.example.org.', 'submission://mx.example.org:2587', 'imaps://[::1]'], ports);
    expect(e.map(endpointUrl)).toEqual(['smtp://mx.example.org:25', 'submission://mx.example.org:2587', 'tcp://mx.example.org:2525', 'imaps://[::1]:993']);
    expect(e.map((x) => x.explicit)).toEqual([true, true, true, true]);
  });

  it.each([
    [['mail.example.org:587'], undefined, /--ports 587|submission:\/\//],
    [['smtp://a.example'], ['25'], /--ports applies to a HOST/],
    [['not a host!'], undefined, /not a host name/],
    [[], undefined, /needs a HOST or URLs/],
    [['ftp://a.example'], undefined, /unknown scheme/],
  ])('refuses %j with a message that says what to do', (args, ports, message) => {
    let err: unknown;
    try {
      endpointsFor(args, ports === undefined ? undefined : parsePortList(ports));
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'ECONFIG')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses bad --ports items', () => {
    expect(() => parsePortList(['70000'])).toThrow(/out of range/);
    expect(() => parsePortList(['25=http'])).toThrow(/not one of/);
    expect(() => parsePortList([''])).toThrow(/not a number/);
  });
});

describe('TLS failure classification', () => {
  it.each([
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'not-tls'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'packet length too long', 'not-tls'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version', 'refused'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure', 'refused'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol', 'refused'],
    ['ECONNRESET', 'read ECONNRESET', 'closed'],
    ['ECLOSED', 'connection closed during the TLS handshake', 'closed'],
    ['ETIMEDOUT', 'TLS handshake did not complete within 300 ms', 'timeout'],
  ] as const)('%s → %s', (code, message, failure) => {
    expect(classifyTlsError(code, message)).toBe(failure);
  });
});

describe('connection limiter', () => {
  it('never runs more than its limit at once and runs everything', async () => {
    const limiter = createLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, i % 3));
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
