/**
 * The sandbox's public API: an embedded mail server (SMTP, IMAP, POP3 over one in-memory store)
 * for `mailprobe sandbox`, `mailprobe demo` and tests. Values first, types apart.
 */
export { startSandbox, PORT_NAMES, DEFAULT_SERVERNAME } from './sandbox.js';
export { FAULT_IDS, FAULT_PROFILES, faultProfile, isFaultId, resolveFaults } from './faults/profiles.js';
export { DEFAULT_LIMITS } from './limits.js';
export { parseUsersFile, DEFAULT_USER_NAMES } from './users.js';
export { createSandboxPki } from './pki/chain.js';

export type { Sandbox, SandboxOptions, PortName } from './sandbox.js';
export type { FaultId, FaultProfile } from './faults/profiles.js';
export type { FaultEffects } from './faults/effects.js';
export type { SandboxLimits } from './limits.js';
export type { SandboxUser } from './users.js';
export type { SandboxPki, CertificateFault, ServerCredentials } from './pki/chain.js';
export type { Store, StoreStats } from './store/store.js';
export type { QuotaPolicy } from './store/account.js';
