/**
 * The IDLE push: one session idles on a scratch mailbox, a second one appends, and the first
 * must be told (EXISTS) while it idles. Code, not YAML: a suite step that reads after IDLE's
 * "+" waits for IDLE's tagged completion, not for pushed data (see the engine note in
 * docs/calibration.md), and the push delay is measured.
 */
import { performance } from 'node:perf_hooks';
import { defineCheck, inconclusive, pass, warn } from '../../../engine/checks/code-check.js';

const MESSAGE = (name: string): string =>
  `Date: Mon, 01 Jan 2024 00:00:00 +0000\r\nFrom: mailprobe <mailprobe@example.invalid>\r\nSubject: mailprobe ${name}\r\n\r\nmailprobe IDLE check\r\n`;

/** How long the pushed EXISTS may take after the other session's APPEND completed. */
const PUSH_WAIT_MS = 5000;

export const idlePush = defineCheck(
  'imap',
  {
    id: 'imap.idle.push',
    title: 'While a session idles, a message appended by another session is pushed as EXISTS',
    // RFC 2177 §3: while IDLE is active "the server is now free to send untagged EXISTS,
    // EXPUNGE, and other messages at any time" (free, not required: hence SHOULD); RFC 9051
    // §5.2: size updates MUST be sent when a change is observed during a command.
    ref: 'RFC 2177 §3; RFC 9051 §6.3.13, §5.2',
    level: 'SHOULD',
    requires: ['IDLE'],
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const name = `mailprobe-${String(ctx.vars.get('uniq'))}`;
    const idler = await ctx.open();
    const other = await ctx.open();
    try {
      const created = await idler.create(name);
      if (created.status !== 'OK') return inconclusive(`setup: CREATE ${name} answered ${created.status} ${created.text}`);
      const selected = await idler.select(name);
      if (selected.status !== 'OK') return inconclusive(`setup: SELECT ${name} answered ${selected.status} ${selected.text}`);
      const started = await idler.idle({ maxIdleMs: PUSH_WAIT_MS * 2 });
      if (!started.started) return inconclusive(`IDLE did not start (${started.result.status} ${started.result.text}); see imap.idle.done`);
      const appended = await other.append(name, MESSAGE(name));
      if (appended.status !== 'OK') return inconclusive(`setup: APPEND from the second session answered ${appended.status} ${appended.text}`);
      const t0 = performance.now();
      let pushedMs: number | undefined;
      while (pushedMs === undefined) {
        const left = PUSH_WAIT_MS - (performance.now() - t0);
        if (left <= 0) break;
        const ev = await started.session.next(Math.ceil(left));
        if (ev.kind === 'timeout' || ev.kind === 'completed') break;
        if (ev.response.kind === 'exists' && ev.response.count >= 1) pushedMs = Math.round(performance.now() - t0);
      }
      const done = await started.session.done();
      if (pushedMs === undefined) {
        return warn(`no EXISTS was pushed within ${PUSH_WAIT_MS} ms of the other session's APPEND (DONE answered ${done.status})`);
      }
      return pass(`EXISTS pushed ${pushedMs} ms after the other session's APPEND completed`);
    } finally {
      if (ctx.env.fixtures.keep !== true) await other.deleteMailbox(name).catch(() => undefined);
    }
  },
);
