/**
 * The forms a password takes on the wire, and a search for them in every output of a run:
 * the password itself, base64 of it (AUTH LOGIN), of `\0user\0pass` and `user\0user\0pass`
 * (AUTH PLAIN), of the XOAUTH2 blob, and, for base64 text cut anywhere, the middle of the
 * password's encoding at each of the three byte alignments.
 */
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

export function secretForms(user: string, password: string): string[] {
  const forms = new Set<string>([
    password,
    b64(password),
    b64(`\u0000${user}\u0000${password}`),
    b64(`${user}\u0000${user}\u0000${password}`),
    b64(`user=${user}\u0001auth=Bearer ${password}\u0001\u0001`),
  ]);
  for (let k = 0; k < 3; k++) {
    for (const enc of [b64('\u0000'.repeat(k) + password), b64url('\u0000'.repeat(k) + password)]) {
      // The first 4 characters mix in the bytes before the password, the last 4 those after it.
      const core = enc.replace(/=+$/, '').slice(4, -4);
      if (core.length >= 8) forms.add(core);
    }
  }
  return [...forms];
}

export interface Leak {
  readonly where: string;
  readonly form: string;
  readonly context: string;
}

/** Every occurrence of any form in any output (name → text). */
export function findLeaks(outputs: Readonly<Record<string, string>>, forms: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const form of forms) {
      let at = text.indexOf(form);
      while (at !== -1) {
        leaks.push({ where, form, context: text.slice(Math.max(0, at - 80), at + form.length + 80) });
        at = text.indexOf(form, at + 1);
      }
    }
  }
  return leaks;
}
