/**
 * `mailprobe diagnose` as a library: what each port speaks and what is wrong with its TLS,
 * certificates and authentication, as DESIGN.md findings and `ports`. Values first, types apart.
 */
export { diagnose, MAX_CONNECTIONS } from './diagnose.js';
export { CATALOGUE, FINDING_IDS } from './catalogue.js';
export { DEFAULT_PORTS, WELL_KNOWN_PORTS, endpointsFor, endpointUrl, parseHost, parsePortList } from './endpoints.js';
export { EXPIRY_URGENT_DAYS, EXPIRY_WARNING_DAYS } from './certificate-rules.js';
export { classifyGreeting, looksRateLimited } from './greeting.js';

export type { CatalogueEntry, FindingId } from './catalogue.js';
export type { DiagnoseInput, DiagnoseResult } from './diagnose.js';
export type { PortSpec } from './endpoints.js';
export type { Capabilities, DiagnoseSettings, Endpoint, SessionResult } from './types.js';
