/**
 * ImapClient: the command engine (connection.ts) plus one method per IMAP command, each a thin
 * call into its command family (commands/*.ts). The families hold the logic; this class only
 * gives callers one object to hold.
 */
import type { Secret } from '../redact.js';
import { authenticate, authenticatePlain, authenticateXoauth2, login, type AuthenticateOptions, type AuthenticateResult, type SaslExchange } from './commands/auth.js';
import { idle, type IdleOptions, type IdleStart } from './commands/idle.js';
import * as mailbox from './commands/mailbox.js';
import * as message from './commands/message.js';
import * as session from './commands/session.js';
import { ImapConnection, type CommandResult, type ImapConnectOptions } from './connection.js';

export class ImapClient extends ImapConnection {
  /** Connect (TCP, implicit TLS when asked) and read the greeting, which is returned as data. */
  static async connect(options: ImapConnectOptions): Promise<ImapClient> {
    return ImapConnection.open(options, (transport) => new ImapClient(transport, options));
  }

  // ---- any state, TLS, authentication ----

  capability(): Promise<session.CapabilityResult> {
    return session.capability(this);
  }
  noop(): Promise<CommandResult> {
    return session.noop(this);
  }
  logout(): Promise<session.LogoutResult> {
    return session.logout(this);
  }
  enable(extensions: readonly string[]): Promise<session.EnableResult> {
    return session.enable(this, extensions);
  }
  starttls(options?: session.StartTlsOptions): Promise<session.StartTlsResult> {
    return session.starttls(this, options);
  }
  login(user: string, password: string | Secret): Promise<CommandResult> {
    return login(this, user, password);
  }
  authenticate(mechanism: string, exchange?: SaslExchange): Promise<AuthenticateResult> {
    return authenticate(this, mechanism, exchange);
  }
  authenticatePlain(user: string, password: string | Secret, options?: AuthenticateOptions & { authzid?: string }): Promise<AuthenticateResult> {
    return authenticatePlain(this, user, password, options);
  }
  authenticateXoauth2(user: string, accessToken: string | Secret, options?: AuthenticateOptions): Promise<AuthenticateResult> {
    return authenticateXoauth2(this, user, accessToken, options);
  }

  // ---- mailboxes ----

  select(name: string, options?: mailbox.SelectOptions): Promise<mailbox.SelectResult> {
    return mailbox.select(this, name, options);
  }
  examine(name: string, options?: Omit<mailbox.SelectOptions, 'readOnly'>): Promise<mailbox.SelectResult> {
    return mailbox.select(this, name, { ...options, readOnly: true });
  }
  list(reference: string, pattern: string, options?: mailbox.ListOptions): Promise<mailbox.ListResult> {
    return mailbox.list(this, reference, pattern, options);
  }
  status(name: string, items: readonly string[]): Promise<mailbox.StatusResult> {
    return mailbox.status(this, name, items);
  }
  create(name: string): Promise<CommandResult> {
    return mailbox.create(this, name);
  }
  deleteMailbox(name: string): Promise<CommandResult> {
    return mailbox.deleteMailbox(this, name);
  }
  rename(from: string, to: string): Promise<CommandResult> {
    return mailbox.rename(this, from, to);
  }
  subscribe(name: string): Promise<CommandResult> {
    return mailbox.subscribe(this, name);
  }
  unsubscribe(name: string): Promise<CommandResult> {
    return mailbox.unsubscribe(this, name);
  }
  closeMailbox(): Promise<CommandResult> {
    return mailbox.close(this);
  }
  unselect(): Promise<CommandResult> {
    return mailbox.unselect(this);
  }

  // ---- messages ----

  append(name: string, content: Uint8Array | string, options?: message.AppendOptions): Promise<message.AppendResult> {
    return message.append(this, name, content, options);
  }
  fetch(set: string, items: message.RawArgs, options?: message.FetchOptions): Promise<message.FetchResult> {
    return message.fetch(this, set, items, options);
  }
  store(set: string, action: string, flags: string, options?: message.StoreOptions): Promise<message.StoreResult> {
    return message.store(this, set, action, flags, options);
  }
  search(criteria: message.RawArgs, options?: message.SearchOptions): Promise<message.SearchResult> {
    return message.search(this, criteria, options);
  }
  copy(set: string, name: string, options?: message.UidOption): Promise<message.CopyResult> {
    return message.copy(this, set, name, options);
  }
  move(set: string, name: string, options?: message.UidOption): Promise<message.CopyResult> {
    return message.move(this, set, name, options);
  }
  expunge(options?: { uidSet?: string }): Promise<message.ExpungeResult> {
    return message.expunge(this, options);
  }

  // ---- IDLE ----

  idle(options?: IdleOptions): Promise<IdleStart> {
    return idle(this, options);
  }
}
