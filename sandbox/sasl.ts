/** Server-side SASL pieces the front ends share: strict base64 and PLAIN (RFC 4616). */

/** RFC 4648 §4 base64 (padding required), decoded; undefined when not valid base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

export interface PlainCredentials {
  readonly authzid: string;
  readonly user: string;
  readonly password: string;
}

/**
 * RFC 4616 §2: `[authzid] NUL authcid NUL passwd`. Undefined when malformed. An authzid other
 * than the user itself (acting as someone else) is for the caller to refuse.
 */
export function decodePlain(base64: string): PlainCredentials | undefined {
  const bytes = decodeBase64(base64);
  if (!bytes) return undefined;
  const first = bytes.indexOf(0);
  const second = first === -1 ? -1 : bytes.indexOf(0, first + 1);
  if (second === -1 || bytes.indexOf(0, second + 1) !== -1) return undefined;
  const user = bytes.toString('utf8', first + 1, second);
  const password = bytes.toString('utf8', second + 1);
  if (user === '' || password === '') return undefined;
  return { authzid: bytes.toString('utf8', 0, first), user, password };
}

/** The authzid is empty or names the user itself (no proxy authorization in the sandbox). */
export function ownIdentity(c: PlainCredentials): boolean {
  return c.authzid === '' || c.authzid.toLowerCase() === c.user.toLowerCase();
}
