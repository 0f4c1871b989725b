/**
 * POP3 checks that need code (each says why YAML was not enough, in its file): maildrop
 * arithmetic and byte-stuffing, the UPDATE state across sessions, CAPA compared between states,
 * SASL exchanges, APOP timestamps, concurrent sessions, STLS injection, line discipline.
 */
import type { CodeCheck } from '../../engine/checks/code-check.js';
import { apopTimestampUnique, authCancel, authPlainContinuation, authPlainInitialResponse, respCodesInUse, userWrongPassword } from './checks/auth.js';
import { capaAuthCapsKept, capaTransaction } from './checks/capa.js';
import { linesCrlf, linesLength } from './checks/lines.js';
import { deleStatExcludes, listMatchesStat, retrByteStuffing, retrSizeMatchesList, topLines, uidlStable } from './checks/maildrop.js';
import { stlsNoInjection } from './checks/stls.js';
import { quitDropKeeps, quitUpdateRemoves } from './checks/update.js';

export const POP3_CODE_CHECKS: readonly CodeCheck<'pop3'>[] = [
  userWrongPassword,
  authPlainInitialResponse,
  authPlainContinuation,
  authCancel,
  apopTimestampUnique,
  respCodesInUse,
  listMatchesStat,
  retrSizeMatchesList,
  retrByteStuffing,
  topLines,
  deleStatExcludes,
  uidlStable,
  quitUpdateRemoves,
  quitDropKeeps,
  capaTransaction,
  capaAuthCapsKept,
  stlsNoInjection,
  linesCrlf,
  linesLength,
];
