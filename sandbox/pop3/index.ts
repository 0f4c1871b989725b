/** The POP3 front end: a session per connection over the shared store. */
import type { FrontEndContext } from '../context.js';
import type { ConnectionHandler, ProtocolLines } from '../net/listener.js';
import { Pop3Session } from './session.js';

export function pop3Handler(ctx: FrontEndContext): ConnectionHandler {
  return (socket, secure) => {
    new Pop3Session(socket, secure, ctx);
  };
}

export function pop3Lines(servername: string): ProtocolLines {
  return {
    greeting: `+OK ${servername} POP3 sandbox ready`,
    unavailable: `-ERR [SYS/PERM] ${servername} POP3 service not available`,
    busy: `-ERR [SYS/TEMP] ${servername} too many connections, try again later`,
  };
}
