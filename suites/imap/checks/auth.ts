/**
 * AUTHENTICATE PLAIN with the real credentials. Code, not YAML: the client response is the
 * base64 of "\0user\0password", and suite files have no encoding function.
 */
import { defineCheck, fail, inconclusive, pass } from '../../../engine/checks/code-check.js';

export const authenticatePlain = defineCheck(
  'imap',
  {
    id: 'imap.authenticate.plain',
    title: 'AUTHENTICATE PLAIN without an initial response ("+", then the credentials) logs in',
    // RFC 9051 §6.2.2: "the following negotiation (which does not use the initial response) is
    // still valid and MUST be supported by the server"; PLAIN is the mechanism every server
    // MUST implement (§6.1.1). RFC 3501 §6.2.2 has no initial response at all.
    ref: 'RFC 9051 §6.2.2 [RFC 3501 §6.2.2]; RFC 4616 §2',
    level: 'MUST',
    requires: ['AUTH=PLAIN'],
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const creds = ctx.env.fixtures.credentials;
    if (!creds) return inconclusive('needs a login');
    const c = await ctx.open();
    const r = await c.authenticatePlain(creds.user, creds.password, { saslIr: false });
    if (r.status !== 'OK') return fail(`AUTHENTICATE PLAIN with valid credentials answered ${r.status} ${r.text}`.trim());
    const ex = await c.examine('INBOX');
    if (ex.status !== 'OK') return fail(`after AUTHENTICATE PLAIN answered OK, EXAMINE INBOX answered ${ex.status} ${ex.text}`.trim());
    return pass();
  },
);
