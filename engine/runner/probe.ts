/**
 * One connection per target before the checks: what the server announces in each phase, for
 * `requires` and for the report's `server` section.
 */
import type { Target } from '../../drivers/target.js';
import type { Timeouts } from '../../drivers/timeouts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { Secret } from '../../drivers/redact.js';
import type { ServerCapabilities, StartTlsPolicy } from './environment.js';

export interface ProbeInput {
  readonly target: Target;
  readonly tls: TlsClientOptions;
  readonly timeouts: Partial<Timeouts>;
  readonly signal: AbortSignal | undefined;
  readonly starttls: StartTlsPolicy;
  readonly clientName: string;
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
}

export type Prober = (input: ProbeInput) => Promise<ServerCapabilities>;
