/**
 * Text in suite steps: `$name` / `${name}` variables (a password stays a Secret, so it is sent
 * but shown as ***), `$$` for a literal dollar, and byte escapes in `raw` sends.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { REDACTED, Secret, type CommandPart } from '../../drivers/redact.js';

export type Variables = ReadonlyMap<string, string | Secret>;

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Replace variables; an unknown one is a suite bug (ESUITE, reported as the check's error). */
export function substitute(text: string, vars: Variables): CommandPart[] {
  const parts: CommandPart[] = [];
  let plain = '';
  let last = 0;
  for (const m of text.matchAll(VAR)) {
    plain += text.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === '$$') {
      plain += '$';
      continue;
    }
    const name = m[1] ?? m[2]!;
    const value = vars.get(name);
    if (value === undefined) throw new MailprobeError('ESUITE', `variable $${name} is not defined (known: ${[...vars.keys()].map((k) => `$${k}`).join(' ')})`);
    if (value instanceof Secret) {
      parts.push(plain, value);
      plain = '';
    } else {
      plain += value;
    }
  }
  plain += text.slice(last);
  if (plain !== '' || parts.length === 0) parts.push(plain);
  return parts;
}

/** Join parts into wire text and its redacted display. */
export function joinParts(parts: readonly CommandPart[]): { wire: string; display: string } {
  let wire = '';
  let display = '';
  for (const p of parts) {
    if (p instanceof Secret) {
      wire += p.reveal();
      display += REDACTED;
    } else {
      wire += p;
      display += p;
    }
  }
  return { wire, display };
}

/**
 * Decode escapes of a `raw` send: \r \n \t \0 \\ and \xNN. Anything else after a backslash is
 * a suite error. Characters above 0xFF are sent as UTF-8.
 */
export function decodeEscapes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      const code = ch.codePointAt(0)!;
      if (code < 0x80) out.push(code);
      else {
        out.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
        if (code > 0xffff) i++;
      }
      continue;
    }
    const next = text[++i];
    switch (next) {
      case 'r':
        out.push(0x0d);
        break;
      case 'n':
        out.push(0x0a);
        break;
      case 't':
        out.push(0x09);
        break;
      case '0':
        out.push(0x00);
        break;
      case '\\':
        out.push(0x5c);
        break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new MailprobeError('ESUITE', `bad escape \\x${hex} in raw send: two hex digits expected`);
        out.push(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        throw new MailprobeError('ESUITE', `unknown escape \\${next ?? ''} in raw send (use \\r \\n \\t \\0 \\\\ \\xNN)`);
    }
  }
  return Buffer.from(out);
}
