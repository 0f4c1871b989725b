/**
 * The security checks against the embedded sandbox: its `starttls-injection` fault profile is
 * found in all three protocols and its `bare-lf-end-of-data` profile as SMTP smuggling, while the
 * sandbox without faults passes the same checks. A second, independent implementation of each
 * bug next to the scripted servers and Postfix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { runSecurityChecks } from './run-security-checks.js';

let clean: Sandbox;
let injection: Sandbox;
let smuggling: Sandbox;
beforeAll(async () => {
  [clean, injection, smuggling] = await Promise.all([startSandbox({ seed: false }), startSandbox({ seed: false, faults: ['starttls-injection'] }), startSandbox({ seed: false, faults: ['bare-lf-end-of-data'] })]);
});
afterAll(async () => {
  await Promise.all([clean?.stop(), injection?.stop(), smuggling?.stop()]);
});

const trust = (sb: Sandbox): { ca: string; servername: string } => ({ ca: sb.caPem!, servername: sb.servername });
const urls = (sb: Sandbox): string[] => [sb.urls.smtp, sb.urls.imap, sb.urls.pop3];
const INJECTION_CHECKS = ['smtp.security.starttls-injection', 'imap.security.starttls-injection', 'pop3.security.starttls-injection'];

describe('the sandbox', () => {
  it("the 'starttls-injection' profile fails the injection check in every protocol; without faults it passes", async () => {
    const bad = await runSecurityChecks(urls(injection), { ...trust(injection), only: INJECTION_CHECKS });
    expect(bad.map((c) => [c.id, c.status])).toEqual(INJECTION_CHECKS.map((id) => [id, 'fail']));
    const good = await runSecurityChecks(urls(clean), { ...trust(clean), only: INJECTION_CHECKS });
    expect(good.map((c) => [c.id, c.status, c.message])).toEqual(INJECTION_CHECKS.map((id) => [id, 'pass', expect.any(String)]));
  });

  it("the 'bare-lf-end-of-data' profile is SMTP smuggling at <LF>.<LF>; without faults nothing ends the data early", async () => {
    const only = ['smtp.security.smuggling.*'];
    const rcpt = (sb: Sandbox): string => sb.users[1]!.address;
    const bad = await runSecurityChecks([smuggling.urls.smtp], { ...trust(smuggling), rcpt: rcpt(smuggling), only });
    expect(bad.find((c) => c.id === 'smtp.security.smuggling.lf-dot-lf')?.status).toBe('fail');
    expect(bad.filter((c) => c.status === 'error' || c.status === 'inconclusive')).toEqual([]);
    const good = await runSecurityChecks([clean.urls.smtp], { ...trust(clean), rcpt: rcpt(clean), only });
    expect(good.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message}`)).toEqual([]);
  });
});
