/** What every protocol front end of one sandbox shares. */
import type { SecureContext } from 'node:tls';
import type { FaultEffects } from './faults/effects.js';
import type { SandboxLimits } from './limits.js';
import type { Store } from './store/store.js';

export interface FrontEndContext {
  readonly store: Store;
  readonly limits: SandboxLimits;
  /** The host name the servers give in greetings and the certificate is for. */
  readonly servername: string;
  /** For STARTTLS/STLS. */
  readonly tls: SecureContext;
  readonly faults: FaultEffects;
  /** POP3 maildrop locking: one session per maildrop ([IN-USE] for others), or none (snapshots). */
  readonly pop3Lock: 'exclusive' | 'none';
}
