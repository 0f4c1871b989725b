/** The protocol adapters by protocol: the typed registry diagnose dispatches through. */
import type { Protocol } from '../../drivers/target.js';
import { IMAP_ADAPTER } from './imap-adapter.js';
import { POP3_ADAPTER } from './pop3-adapter.js';
import type { ProtocolAdapter } from './protocol.js';
import { SMTP_ADAPTER } from './smtp-adapter.js';

export const ADAPTERS: Readonly<Record<Protocol, ProtocolAdapter>> = {
  smtp: SMTP_ADAPTER,
  imap: IMAP_ADAPTER,
  pop3: POP3_ADAPTER,
};
