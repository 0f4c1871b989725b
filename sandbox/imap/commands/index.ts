/** The IMAP command table: one family per module, merged into one typed registry. */
import type { CommandTable } from '../session.js';
import { ANY_COMMANDS } from './any.js';
import { AUTH_COMMANDS } from './auth.js';
import { IDLE_COMMANDS } from './idle.js';
import { MAILBOX_COMMANDS } from './mailbox.js';
import { SELECTED_COMMANDS } from './selected.js';

export const IMAP_COMMANDS: CommandTable = {
  ...ANY_COMMANDS,
  ...AUTH_COMMANDS,
  ...MAILBOX_COMMANDS,
  ...SELECTED_COMMANDS,
  ...IDLE_COMMANDS,
};
