/**
 * What the client must know about each POP3 command to read its reply: whether a +OK is
 * followed by a multi-line body, whether the body is message data (not copied line by line into
 * the transcript, read under the data deadline), and the metric it is timed under.
 *
 * This is knowledge, not policy: an unknown command is sent as well, and read as single-line
 * unless the caller says otherwise.
 */
export interface CommandSpec {
  /** A +OK reply carries a multi-line body (given the arguments after the keyword). */
  readonly multiline: (args: string) => boolean;
  /** The body is message content: summarised in the transcript, read under dataMs. */
  readonly messageData: boolean;
}

const single: CommandSpec = { multiline: () => false, messageData: false };
// RFC 1939 §5: LIST and UIDL without an argument answer with a multi-line listing; with a
// message number, with a single line.
const listing: CommandSpec = { multiline: (args) => args === '', messageData: false };

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ['USER', single],
  ['PASS', single],
  ['APOP', single],
  ['AUTH', single],
  ['STAT', single],
  ['LIST', listing],
  ['UIDL', listing],
  ['RETR', { multiline: () => true, messageData: true }],
  ['TOP', { multiline: () => true, messageData: true }],
  ['DELE', single],
  ['RSET', single],
  ['NOOP', single],
  ['QUIT', single],
  // RFC 2449 §5: CAPA always answers with a multi-line list.
  ['CAPA', { multiline: () => true, messageData: false }],
  ['STLS', single],
  ['UTF8', single],
  ['LANG', listing],
]);

/** The command keyword, upper-cased (`retr 1` → `RETR`). */
export function commandKeyword(line: string): string {
  const sp = line.indexOf(' ');
  return (sp === -1 ? line : line.slice(0, sp)).replace(/[\r\n]+$/, '').toUpperCase();
}

function commandArgs(line: string): string {
  const sp = line.indexOf(' ');
  return sp === -1 ? '' : line.slice(sp + 1).trim();
}

/** Whether a +OK to this command line carries a multi-line body. */
export function expectsMultiline(line: string): boolean {
  return COMMANDS.get(commandKeyword(line))?.multiline(commandArgs(line)) ?? false;
}

/** Whether the body of this command's reply is message data (RETR, TOP). */
export function carriesMessageData(line: string): boolean {
  return COMMANDS.get(commandKeyword(line))?.messageData ?? false;
}

/**
 * The metric an exchange is timed under: `pop3.retr` for known commands, `pop3.other` for the
 * rest, so whatever a probe sends cannot grow the set of histograms.
 */
export function metricName(keyword: string): string {
  return COMMANDS.has(keyword) ? `pop3.${keyword.toLowerCase()}` : 'pop3.other';
}
