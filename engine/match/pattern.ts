/**
 * Response patterns in the style of imaptest's scripts (dovecot/imaptest docs/scripted_test.md):
 * literal text matched case-insensitively, `$name` captures one token (or must equal the value
 * captured earlier), a lone `$` is any one token, `...` is anything. A pattern written `/re/`
 * is a regular expression instead.
 */

export interface CompiledPattern {
  readonly source: string;
  readonly regex: RegExp;
  /** Capture names in group order (`$name` first seen here). */
  readonly names: readonly string[];
}

const TOKEN = '([^\\s()\\[\\]]+)';

export function compilePattern(pattern: string, known: ReadonlyMap<string, string>): CompiledPattern {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (re) {
    // g and y make a RegExp stateful between .exec calls; a pattern must match the same way each time.
    const flags = re[2]!.replace(/[gy]/g, '');
    return { source: pattern, regex: new RegExp(re[1]!, flags.includes('i') ? flags : `${flags}i`), names: [] };
  }
  let out = '^';
  const names: string[] = [];
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('...', i)) {
      out += '.*';
      i += 3;
      continue;
    }
    if (pattern[i] === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(pattern.slice(i));
      if (m) {
        const name = m[1]!;
        const value = known.get(name);
        if (value !== undefined) out += escapeRegex(value);
        else if (names.includes(name)) out += `\\k<${name}>`;
        else {
          names.push(name);
          out += `(?<${name}>[^\\s()\\[\\]]+)`;
        }
        i += m[0].length;
        continue;
      }
      out += TOKEN;
      i++;
      continue;
    }
    if (pattern[i] === ' ') {
      // One space in a pattern accepts one or more on the wire.
      out += '\\s+';
      while (pattern[i] === ' ') i++;
      continue;
    }
    out += escapeRegex(pattern[i]!);
    i++;
  }
  out += '$';
  return { source: pattern, regex: new RegExp(out, 'is'), names };
}

/** Match and return the captures, or undefined. */
export function matchPattern(p: CompiledPattern, text: string): Record<string, string> | undefined {
  const m = p.regex.exec(text);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const name of p.names) {
    const v = m.groups?.[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
