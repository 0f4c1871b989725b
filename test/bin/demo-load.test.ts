import { describe, expect, it } from 'vitest';
import { DEMO_MESSAGE_BUDGET, demoSmtpRate } from '../../bin/demo-load.js';
import { DEFAULT_LIMITS } from '../../sandbox/index.js';

describe('the demo SMTP load', () => {
  it('keeps a run of any length inside its budget, itself well inside the sandbox mailbox limit', () => {
    expect(DEMO_MESSAGE_BUDGET * 2).toBeLessThanOrEqual(DEFAULT_LIMITS.maxMessagesPerUser);
    for (const runMs of [200, 1_000, 11_000, 61_000, 600_000, 3_600_000]) {
      const rate = demoSmtpRate(runMs);
      expect(rate).toBeGreaterThanOrEqual(1);
      expect(rate).toBeLessThanOrEqual(200);
      // At least one message a second: only the longest runs may reach the budget, never by more than a second's worth.
      expect(rate * (runMs / 1000)).toBeLessThanOrEqual(Math.max(DEMO_MESSAGE_BUDGET, runMs / 1000));
    }
    // The default demo (10 s measured after 1 s of warm-up) runs at the full 200/s.
    expect(demoSmtpRate(11_000)).toBe(200);
  });
});
