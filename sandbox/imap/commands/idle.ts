/**
 * IDLE (RFC 2177, RFC 9051 §6.3.13): after "+", changes to the selected mailbox are pushed as
 * they happen (EXISTS, EXPUNGE, FETCH FLAGS) until the client sends DONE.
 */
import type { CommandSpec } from '../session.js';
import { AUTHENTICATED } from './any.js';

export const IDLE_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  IDLE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, tag, p) => {
      p.end();
      s.send('+ idling\r\n');
      const view = s.view;
      let idling = true;
      let scheduled = false;
      const push = (): void => {
        scheduled = false;
        if (!idling || s.view !== view || !view) return;
        for (const line of view.flush(true)) s.send(`${line}\r\n`);
      };
      if (view) {
        // Changes often come in bursts (a MOVE of many messages): one push per turn of the loop.
        view.onChange = () => {
          if (scheduled) return;
          scheduled = true;
          setImmediate(push);
        };
        push();
      }
      s.awaitLine((line) => {
        idling = false;
        if (view) view.onChange = undefined;
        const done = line.toString('latin1').trim().toUpperCase() === 'DONE';
        s.finish(tag, true, done ? { status: 'OK', text: 'IDLE terminated' } : { status: 'BAD', text: 'Expected DONE' });
      });
      return 'pending';
    },
  },
};
