/**
 * The public types of a transport: what a connection is opened with, what its reads and writes
 * take, and what connecting and upgrading report. They live apart from the class so they can be
 * read without it; drivers/transport.ts re-exports them all.
 */
import type { Duplex } from 'node:stream';
import type { MailprobeError, Phase } from './errors.js';
import type { Limits } from './limits.js';
import type { TlsFacts } from './tls/tls-facts.js';
import type { TlsClientOptions } from './tls/tls-options.js';
import type { Timeouts } from './timeouts.js';

/** Opens the byte stream to the server; tests inject one instead of patching `net`. */
export type Connector = (target: { host: string; port: number; localAddress?: string }) => Duplex;
/** Resolves a host name; tests inject one instead of patching `dns`. */
export type Resolver = (host: string, family: 0 | 4 | 6) => Promise<{ address: string; family: number }>;

export interface TransportOptions {
  host: string;
  port: number;
  /** Start TLS right after TCP connect (smtps/imaps/pop3s). */
  implicitTls?: boolean;
  tls?: TlsClientOptions;
  timeouts?: Partial<Timeouts>;
  limits?: Partial<Limits>;
  /** Cancels everything: pending reads reject with EABORTED and the socket is destroyed. */
  signal?: AbortSignal;
  /** Keep a transcript (default true). Bench turns it off. */
  transcript?: boolean;
  family?: 0 | 4 | 6;
  localAddress?: string;
  /** Milliseconds clock (default performance.now). */
  now?: () => number;
  connector?: Connector;
  resolver?: Resolver;
}

/** How long each connect phase took, in milliseconds (undefined: the phase did not happen). */
export interface ConnectTiming {
  dnsMs: number | undefined;
  connectMs: number;
  tlsMs: number | undefined;
}

export interface ReadOptions {
  timeoutMs?: number;
  phase?: Phase;
  /** Record the bytes in the transcript (default true). */
  record?: boolean;
}

export interface WriteOptions {
  /** What the transcript shows instead of the bytes (redacted commands); false records nothing. */
  display?: string | readonly string[] | false;
  timeoutMs?: number;
  phase?: Phase;
}

export interface StartTlsResult {
  tls: TlsFacts;
  /** Plaintext bytes that were already buffered after the go-ahead (discarded, never parsed). */
  trailing: Buffer;
}

export interface UpgradeOptions {
  /** What to do with bytes that followed the go-ahead: fail (default) or record and go on. */
  trailing?: 'fail' | 'record';
  timeoutMs?: number;
}

/**
 * Takes the outcome of a read made with waitLine(): exactly one call per read, never before
 * waitLine() returned.
 */
export interface LineReceiver {
  resolve(line: Buffer): void;
  reject(err: MailprobeError): void;
}
