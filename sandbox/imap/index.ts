/** The IMAP front end: a session per connection over the shared store. */
import type { FrontEndContext } from '../context.js';
import type { ConnectionHandler, ProtocolLines } from '../net/listener.js';
import { IMAP_COMMANDS } from './commands/index.js';
import { ImapSession } from './session.js';

export function imapHandler(ctx: FrontEndContext): ConnectionHandler {
  return (socket, secure) => {
    new ImapSession(socket, secure, ctx, IMAP_COMMANDS);
  };
}

export function imapLines(servername: string): ProtocolLines {
  return {
    greeting: `* OK ${servername} IMAP4rev1 sandbox ready`,
    unavailable: `* BYE ${servername} IMAP service not available`,
    busy: `* BYE ${servername} too many connections, try again later`,
  };
}
