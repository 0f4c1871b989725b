import { MailprobeError } from '../errors.js';
import type { CommandPart } from '../redact.js';
import {
  cramMd5Response,
  loginPasswordResponse,
  loginUserResponse,
  plainResponse,
  xoauth2Response,
  type Credentials,
  type SaslMechanism,
} from '../sasl.js';
import type { SmtpClient } from './client.js';
import type { SmtpReply } from './reply.js';

/** Continuation lines of one exchange are bounded: a server that keeps sending 334 is broken. */
const MAX_SASL_STEPS = 8;

/**
 * RFC 4954 §4: `AUTH mechanism [initial-response]`, then 334 challenges answered line by line,
 * until a final 2xx/4xx/5xx. Secrets travel as Secret parts so the transcript shows `***`.
 */
export async function authenticate(
  client: SmtpClient,
  mechanism: SaslMechanism,
  credentials: Credentials,
  options: { initialResponse?: boolean },
): Promise<SmtpReply> {
  const name = 'smtp.auth';
  // Initial responses save a round trip (RFC 4954 §4) and are what most clients send for PLAIN.
  const useIr = options.initialResponse ?? (mechanism === 'PLAIN' || mechanism === 'XOAUTH2');
  let reply: SmtpReply;
  let responses: CommandPart[][];
  switch (mechanism) {
    case 'PLAIN':
      responses = [[plainResponse(credentials)]];
      break;
    case 'XOAUTH2':
      responses = [[xoauth2Response(credentials)], ['']];
      break;
    case 'LOGIN':
      responses = [[loginUserResponse(credentials)], [loginPasswordResponse(credentials)]];
      break;
    case 'CRAM-MD5':
      responses = [];
      break;
  }
  if (useIr && mechanism !== 'LOGIN' && mechanism !== 'CRAM-MD5') {
    const first = responses.shift()!;
    reply = await client.command(['AUTH', mechanism, ...first], { name });
  } else {
    reply = await client.command(`AUTH ${mechanism}`, { name });
  }
  for (let step = 0; reply.code === 334; step++) {
    if (step >= MAX_SASL_STEPS) {
      throw new MailprobeError('EPROTOCOL', `server sent more than ${MAX_SASL_STEPS} AUTH challenges`, {
        phase: 'command',
        command: `AUTH ${mechanism}`,
        transcript: client.transport.snapshot(30),
      });
    }
    let next: CommandPart[];
    if (mechanism === 'CRAM-MD5' && step === 0) next = [cramMd5Response(credentials, reply.lines[0] ?? '')];
    else next = responses.shift() ?? [''];
    // An empty response (XOAUTH2 error acknowledgement) is a bare CRLF; `*` would cancel.
    reply = await client.command(next.length === 1 && next[0] === '' ? [''] : next, { name });
  }
  return reply;
}

/** `AUTH PLAIN` followed by `*`: the RFC 4954 §4 cancel, for conformance probes. */
export async function cancelAuth(client: SmtpClient, mechanism: SaslMechanism): Promise<{ challenge: SmtpReply; final: SmtpReply | undefined }> {
  const challenge = await client.command(`AUTH ${mechanism}`);
  if (challenge.code !== 334) return { challenge, final: undefined };
  return { challenge, final: await client.command('*') };
}

