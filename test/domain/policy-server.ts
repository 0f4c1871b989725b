/**
 * An HTTPS server for MTA-STS policies on 127.0.0.1 (port chosen by the system), with a
 * certificate minted at test time for the names given, and one behaviour per Host header: a
 * policy, a status, a redirect, a content type, an oversized body, or no answer at all.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { createLabPki, issue, type LabPki } from '../helpers/certs.js';

export interface PolicyBehaviour {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Default `text/plain; charset=utf-8`. */
  readonly contentType?: string;
  readonly body?: string;
  /** Send the body in pieces without a Content-Length (chunked). */
  readonly chunked?: boolean;
  /** Accept the request and never answer (the client's deadline). */
  readonly hang?: boolean;
}

export interface PolicyServer {
  readonly port: number;
  /** The root that signs the server's chain (trust it with --ca). */
  readonly rootPem: string;
  readonly pki: LabPki;
  /** Requests seen, as `host path`. */
  readonly log: string[];
  set(host: string, behaviour: PolicyBehaviour): void;
  close(): Promise<void>;
}

/** A policy file from its fields, CRLF-separated as RFC 8461 §3.2 writes it. */
export function policyText(mode: string, mx: readonly string[], maxAge = 604_800): string {
  return ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`, ''].join('\r\n');
}

/**
 * `names` go in the certificate; with `certNames` the certificate names those instead (a
 * server whose certificate does not match the host it serves), signed by `pki` when given.
 */
export async function startPolicyServer(names: readonly string[], options: { certNames?: readonly string[]; pki?: LabPki } = {}): Promise<PolicyServer> {
  const pki = options.pki ?? createLabPki(names);
  const leaf = options.certNames ? issue({ cn: options.certNames[0]!, san: options.certNames, issuer: pki.intermediate }) : pki.leaf;
  const behaviours = new Map<string, PolicyBehaviour>();
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    log.push(`${host} ${req.url ?? ''}`);
    const b = behaviours.get(host) ?? { status: 404, body: 'no policy here\n' };
    if (b.hang) return;
    const body = b.body ?? '';
    const headers: Record<string, string> = {
      'content-type': b.contentType ?? 'text/plain; charset=utf-8',
      ...(b.chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      ...(b.headers ?? {}),
    };
    res.writeHead(b.status ?? 200, headers);
    if (!b.chunked) return void res.end(body);
    const piece = 4096;
    let i = 0;
    const next = (): void => {
      if (i >= body.length) return void res.end();
      const ok = res.write(body.slice(i, i + piece));
      i += piece;
      if (ok) setImmediate(next);
      else res.once('drain', next);
    };
    next();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    rootPem: pki.root.certPem,
    pki,
    log,
    set: (host, behaviour) => void behaviours.set(host.toLowerCase(), behaviour),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
