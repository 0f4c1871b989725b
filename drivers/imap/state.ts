/**
 * What the client has observed about the session: its state (RFC 9051 §3), capabilities and
 * enabled extensions. Observed, never enforced: the driver sends whatever it is told and only
 * records what the server's answers imply.
 */
import type { ImapResponse, TaggedStatus } from './response-types.js';
import { tokenText, type ResponseCode } from './tokens.js';

export type ImapState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout' | 'closed';

export class SessionObserver {
  state: ImapState = 'not-authenticated';
  /** Upper-cased capability names; undefined when unknown (never asked, or dropped). */
  capabilities: Set<string> | undefined;
  /** What ENABLE turned on (RFC 5161). */
  readonly enabled = new Set<string>();

  /** Record what one response says (capabilities, BYE). */
  response(r: ImapResponse): void {
    switch (r.kind) {
      case 'capability':
        this.capabilities = new Set(r.capabilities.map((c) => c.toUpperCase()));
        break;
      case 'enabled':
        for (const c of r.capabilities) this.enabled.add(c.toUpperCase());
        break;
      case 'condition':
        if (r.status === 'BYE') this.state = 'logout';
        this.code(r.code);
        break;
      case 'tagged':
        this.code(r.code);
        break;
      default:
    }
  }

  /** `[CAPABILITY ...]` in a greeting or completion replaces what we knew (RFC 9051 §7.1). */
  code(code: ResponseCode | undefined): void {
    if (code?.name === 'CAPABILITY' && code.args !== undefined) {
      this.capabilities = new Set(code.args.map((t) => tokenText(t).toUpperCase()));
    }
  }

  /** The state a completed command leaves the session in. */
  completed(name: string, status: TaggedStatus, capabilityCode: boolean): void {
    if (this.state === 'logout' || this.state === 'closed') return;
    switch (name) {
      case 'LOGIN':
      case 'AUTHENTICATE':
        if (status === 'OK') {
          this.state = 'authenticated';
          // Capabilities may change with authentication (RFC 9051 §6.2.2, §6.2.3): unless
          // the OK carried them, what we knew before is stale.
          if (!capabilityCode) this.capabilities = undefined;
        }
        break;
      case 'SELECT':
      case 'EXAMINE':
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; BAD changes nothing.
        if (status === 'OK') this.state = 'selected';
        else if (status === 'NO' && this.state === 'selected') this.state = 'authenticated';
        break;
      case 'CLOSE':
      case 'UNSELECT':
        if (status === 'OK' && this.state === 'selected') this.state = 'authenticated';
        break;
      case 'LOGOUT':
        if (status === 'OK') this.state = 'logout';
        break;
      case 'STARTTLS':
        // RFC 9051 §6.2.1 / RFC 3501 §6.2.1: discard capabilities learned before TLS.
        if (status === 'OK') this.capabilities = undefined;
        break;
      default:
    }
  }

  /** PREAUTH (RFC 9051 §7.1.4) starts authenticated; BYE at connect means logout. */
  greeting(status: string): void {
    if (status === 'PREAUTH') this.state = 'authenticated';
    else if (status === 'BYE') this.state = 'logout';
  }
}
