/**
 * RFC 5322 §3.4 address lists, as IMAP's ENVELOPE needs them (RFC 9051 §7.5.2): name, mailbox and
 * host of each address, and group start/end markers. Lenient: real headers are messy; nothing
 * here throws.
 */

export interface EnvelopeAddress {
  readonly name: string | null;
  /** Mailbox (local part); for a group start, the group name. */
  readonly mailbox: string | null;
  /** Host; null marks group syntax (RFC 9051 §7.5.2). */
  readonly host: string | null;
}

const MAX_ADDRESSES = 1000;
/** What Dovecot sends for an address without a domain; clients know it. */
const MISSING_DOMAIN = 'MISSING_DOMAIN';

export function parseAddressList(value: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  let text = '';
  let angle: string | undefined;
  let inGroup = false;
  const flush = (): void => {
    const address = angle !== undefined ? angle.trim() : text.replace(/\s+/g, '');
    const name = angle !== undefined ? text.trim().replace(/\s+/g, ' ') : '';
    text = '';
    angle = undefined;
    if (address === '' || out.length >= MAX_ADDRESSES) return;
    // A source route (`@a,@b:user@host`, RFC 5322 §4.4 obs-route) is dropped.
    const spec = address.includes(':') ? address.slice(address.lastIndexOf(':') + 1) : address;
    const at = spec.lastIndexOf('@');
    out.push({
      name: name === '' ? null : name,
      mailbox: at === -1 ? spec : spec.slice(0, at),
      host: at === -1 ? MISSING_DOMAIN : spec.slice(at + 1),
    });
  };
  let state: 'text' | 'angle' | 'after' = 'text';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') {
      // quoted-string: its content without the quotes and escapes
      let quoted = '';
      for (i++; i < value.length && value[i] !== '"'; i++) {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        quoted += value[i];
      }
      if (state === 'angle') angle += quoted;
      else if (state === 'text') text += quoted;
    } else if (c === '(') {
      // a comment, possibly nested: skipped
      let depth = 1;
      for (i++; i < value.length && depth > 0; i++) {
        if (value[i] === '\\') i++;
        else if (value[i] === '(') depth++;
        else if (value[i] === ')') depth--;
      }
      i--;
    } else if (state === 'angle') {
      if (c === '>') state = 'after';
      else angle += c;
    } else if (c === ',') {
      flush();
      state = 'text';
    } else if (c === ';' && inGroup) {
      flush();
      if (out.length < MAX_ADDRESSES) out.push({ name: null, mailbox: null, host: null });
      inGroup = false;
      state = 'text';
    } else if (state === 'after') {
      // text after `<addr>` up to the next comma is not part of the address
    } else if (c === '<') {
      angle = '';
      state = 'angle';
    } else if (c === ':' && !inGroup && !text.includes('@')) {
      // group start: `display-name ":"` (RFC 5322 §3.4)
      if (out.length < MAX_ADDRESSES) out.push({ name: null, mailbox: text.trim(), host: null });
      text = '';
      inGroup = true;
    } else {
      text += c;
    }
  }
  flush();
  if (inGroup && out.length < MAX_ADDRESSES) out.push({ name: null, mailbox: null, host: null });
  return out;
}
