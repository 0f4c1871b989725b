/**
 * Commands valid in any state (RFC 9051 §6.1: CAPABILITY, NOOP, LOGOUT), ID (RFC 2971) and
 * ENABLE (RFC 5161).
 */
import { BadCommand } from '../parser.js';
import type { CommandSpec, ImapState } from '../session.js';

export const ANY: readonly ImapState[] = ['not-authenticated', 'authenticated', 'selected'];
export const AUTHENTICATED: readonly ImapState[] = ['authenticated', 'selected'];

const MAX_ID_PAIRS = 30;

export const ANY_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  CAPABILITY: {
    states: ANY,
    expunges: true,
    run: (s, _tag, p) => {
      p.end();
      s.untagged(`CAPABILITY ${s.capabilities().join(' ')}`);
      return { status: 'OK', text: 'CAPABILITY completed' };
    },
  },
  // §6.1.2: NOOP is how a client polls; the updates go out with its completion.
  NOOP: {
    states: ANY,
    expunges: true,
    run: (_s, _tag, p) => {
      p.end();
      return { status: 'OK', text: 'NOOP completed' };
    },
  },
  // §6.1.3: BYE first, then the tagged OK, then the server closes.
  LOGOUT: {
    states: ANY,
    expunges: false,
    run: (s, _tag, p) => {
      p.end();
      s.untagged(`BYE ${s.ctx.servername} logging out`);
      s.deselect();
      s.state = 'logout';
      return { status: 'OK', text: 'LOGOUT completed' };
    },
  },
  // RFC 2971 §3.1: `ID NIL` or a list of at most 30 field-value pairs.
  ID: {
    states: ANY,
    expunges: true,
    run: (s, _tag, p) => {
      p.sp();
      if (p.peek() === 0x28) {
        p.expect('(');
        let pairs = 0;
        while (!p.accept(')')) {
          if (pairs > 0) p.sp();
          p.string();
          p.sp();
          p.nstring();
          if (++pairs > MAX_ID_PAIRS) throw new BadCommand('More than 30 ID field-value pairs');
        }
      } else if (p.atom().toUpperCase() !== 'NIL') throw new BadCommand('ID takes NIL or a parenthesized list');
      p.end();
      s.untagged('ID ("name" "mailprobe sandbox" "vendor" "mailprobe")');
      return { status: 'OK', text: 'ID completed' };
    },
  },
  // RFC 5161 §3.1: only in the authenticated state; nothing the sandbox has can be enabled.
  ENABLE: {
    states: ['authenticated'],
    expunges: true,
    run: (s, _tag, p) => {
      const names: string[] = [];
      do {
        p.sp();
        names.push(p.atom());
      } while (!p.atEnd());
      s.untagged('ENABLED');
      return { status: 'OK', text: `ENABLE completed (nothing to enable among ${names.length})` };
    },
  },
};
