/**
 * Properties of the SMTP pure parts, for a short run in the unit suite and a long run in
 * `npm run fuzz`: random reply lines give a reply or a parser error (EPROTOCOL/ELIMIT), and
 * dot-stuffing round-trips any body.
 */
import fc from 'fast-check';
import { isMailprobeError } from '../../drivers/errors.js';
import { dotUnstuff, encodeDataBody } from '../../drivers/smtp/dot-stuff.js';
import { SmtpReplyParser } from '../../drivers/smtp/reply.js';
import { linesFromChunks } from '../helpers/split.js';

const replyLike = fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('-', ' ', '', 'x'), fc.string({ maxLength: 40 }), fc.constantFrom('\r\n', '\n', ''))
    .map(([code, sep, text, eol]) => Buffer.from(`${String(code).padStart(3, '0')}${sep}${text}${eol}`, 'utf8')),
);

export const smtpProperties = {
  /** Any stream of bytes, split into lines as the transport does, parses or fails classified. */
  replyParser: () =>
    fc.property(fc.array(replyLike, { maxLength: 30 }), (parts) => {
      const parser = new SmtpReplyParser({ maxReplyLines: 10, maxReplyBytes: 600 });
      for (const line of linesFromChunks(parts)) {
        try {
          const reply = parser.push(line);
          if (reply && (reply.code < 200 || reply.code > 599)) return false;
        } catch (err) {
          if (!isMailprobeError(err, 'EPROTOCOL') && !isMailprobeError(err, 'ELIMIT')) throw err;
        }
      }
      return true;
    }),

  /** encode → unstuff gives the CRLF-normalised body back. */
  dotStuffRoundTrip: () =>
    fc.property(fc.array(fc.constantFrom('.', 'a', '\r\n', '..', 'é', ' ', '\n', '\r'), { maxLength: 60 }), (parts) => {
      const body = Buffer.from(parts.join(''), 'utf8');
      const wire = encodeDataBody(body);
      const normalised = body
        .toString('utf8')
        .replace(/\r\n|\r|\n/g, '\r\n')
        .replace(/([^\n])$/s, '$1\r\n');
      return dotUnstuff(wire.subarray(0, wire.length - 3)).toString('utf8') === normalised;
    }),
};
