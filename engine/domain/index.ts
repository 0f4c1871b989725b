/**
 * Domain mode of `mailprobe diagnose` as a library: MX discovery, every MX address's port 25,
 * MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE (RFC 7672), over a DNS client that can be
 * pointed at any resolver. Values first, types apart.
 */
export { diagnoseDomain } from './domain.js';
export { createDnsClient, parseDnsServer, systemDnsServers } from './dns-client.js';
export { overrideConnector, overrideFor, parseConnectTo } from './connect-to.js';
export { fetchPolicy, MAX_POLICY_BYTES } from './mta-sts-fetch.js';
export { judgeStsRecords, mxMatches, parseStsPolicy, parseStsRecord, MAX_AGE_LIMIT } from './mta-sts-policy.js';
export { judgeTlsRptRecords, parseTlsRptRecord } from './tls-rpt.js';
export { judgeTlsa, matchesCertificate, unusableReason } from './dane.js';

export type { DomainInput, DomainResult } from './domain.js';
export type { DnsClient, DnsServer, Lookup } from './dns-client.js';
export type { ConnectOverride } from './connect-to.js';
export type { PolicyFetch } from './mta-sts-fetch.js';
export type { StsPolicy, StsMode } from './mta-sts-policy.js';
export type { TlsaData, MxData, SrvData } from './dns-wire.js';
