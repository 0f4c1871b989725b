/**
 * Shared pieces of the POP3 code checks: command deadlines, capabilities of a phase, a
 * catalogue of the maildrop by Message-ID, and the fixture conventions.
 *
 * Fixtures: a check never removes mail it did not create. The one check that really deletes
 * (pop3.quit.update-removes) only touches a message whose Message-ID starts with
 * `<mailprobe-deletable-`, which a test set-up (or an operator) put there for that purpose.
 * Messages whose Message-ID starts with `<mailprobe-fixture-` are preferred by the other
 * message checks: known content (lines starting with "."), and never deleted by anyone.
 */
import type { Pop3Client } from '../../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../../drivers/pop3/types.js';
import type { CodeCheckContext } from '../../../engine/checks/code-check.js';
import { capabilitiesAt } from '../../../engine/runner/capabilities.js';
import type { StartState } from '../../../engine/suite/schema.js';

export type Ctx = CodeCheckContext<'pop3'>;

export const FIXTURE_PREFIX = '<mailprobe-fixture-';
export const DELETABLE_PREFIX = '<mailprobe-deletable-';
/** How many messages a catalogue looks at, at most (TOP n 0 each). */
const CATALOGUE_LIMIT = 200;

/** Per-command options: the step deadline of the run (`--timeout`). */
export function opts(ctx: Ctx): { timeoutMs: number } {
  return { timeoutMs: ctx.env.stepTimeoutMs };
}

/** Whether the server announced `cap` in the phase `start` reaches (what `requires` uses). */
export function announced(ctx: Ctx, start: StartState, cap: string): boolean {
  return capabilitiesAt(ctx.env.capabilities, start).has(cap.toUpperCase());
}

export function text(r: Pop3Reply): string {
  return `${r.status === 'ok' ? '+OK' : r.status === 'err' ? '-ERR' : '+'}${r.text === '' ? '' : ` ${r.text}`}`;
}

export interface Listed {
  readonly msg: number;
  readonly octets: number;
}

/** LIST, parsed; undefined when LIST was refused (the caller decides what that means). */
export async function scanList(c: Pop3Client): Promise<Listed[] | undefined> {
  const r = await c.list(undefined);
  if (!r.ok) return undefined;
  return r.entries;
}

/** The Message-ID of a header block (folded headers unfolded), or undefined. */
export function messageIdOf(header: Buffer): string | undefined {
  const unfolded = header.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  return /^Message-ID:\s*(<[^>\s]+>)/im.exec(unfolded)?.[1];
}

export interface Catalogued extends Listed {
  readonly messageId: string | undefined;
}

/**
 * The maildrop by Message-ID, from TOP n 0 (RETR for messages up to 64 KiB when TOP is not
 * announced). A message another session removed meanwhile answers -ERR and is left out.
 */
export async function catalogue(ctx: Ctx, c: Pop3Client, useTop: boolean): Promise<Catalogued[] | undefined> {
  const listed = await scanList(c);
  if (!listed) return undefined;
  const out: Catalogued[] = [];
  for (const m of listed.slice(0, CATALOGUE_LIMIT)) {
    let reply;
    if (useTop) reply = await c.top(m.msg, 0, opts(ctx));
    else if (m.octets <= 65_536) reply = await c.retr(m.msg, opts(ctx));
    else continue;
    if (!reply.ok || !reply.message) continue;
    out.push({ ...m, messageId: messageIdOf(headerOf(reply.message)) });
  }
  return out;
}

/** The header block of a message, blank line included (all of it if there is no blank line). */
export function headerOf(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  if (crlf !== -1) return message.subarray(0, crlf + 4);
  const lf = message.indexOf('\n\n');
  return lf === -1 ? message : message.subarray(0, lf + 2);
}

/** Fixtures first, then the rest in maildrop order; deletable fixtures never. */
export function preferFixtures<T extends { messageId: string | undefined }>(items: readonly T[]): T[] {
  const keep = items.filter((i) => !i.messageId?.startsWith(DELETABLE_PREFIX));
  return [...keep.filter((i) => i.messageId?.startsWith(FIXTURE_PREFIX)), ...keep.filter((i) => !i.messageId?.startsWith(FIXTURE_PREFIX))];
}

/**
 * Log in on a connection in AUTHORIZATION as the runner does (USER/PASS when announced or
 * when CAPA is missing, else AUTH PLAIN). Returns the final reply.
 */
export async function login(ctx: Ctx, c: Pop3Client, start: StartState): Promise<Pop3Reply> {
  const creds = ctx.env.fixtures.credentials!;
  const caps = capabilitiesAt(ctx.env.capabilities, start);
  if (caps.size === 0 || caps.has('USER')) {
    const user = await c.user(creds.user);
    if (!user.ok) return user;
    return c.pass(creds.password);
  }
  return c.authPlain(creds.user, creds.password);
}

/** A response code that says the login could not be judged (busy, delayed, system trouble). */
export function transientCode(r: Pop3Reply): boolean {
  const code = r.code?.toUpperCase();
  return code !== undefined && code !== 'AUTH';
}
