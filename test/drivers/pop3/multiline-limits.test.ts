import { describe, expect, it } from 'vitest';
import { isMailprobeError, MailprobeError } from '../../../drivers/errors.js';
import { MultilineReader } from '../../../drivers/pop3/multiline.js';

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('MultilineReader bounds', () => {
  it('fails with ELIMIT once the body passes maxReplyBytes, naming the limit', () => {
    const reader = new MultilineReader(10);
    reader.push(Buffer.from('12345678\r\n'));
    const err = catchError(() => reader.push(Buffer.from('x\r\n')));
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect((err as MailprobeError).context.detail).toMatchObject({ limit: 'maxReplyBytes', max: 10, seen: 13 });
  });

  it('counts the end marker too', () => {
    const reader = new MultilineReader(11);
    reader.push(Buffer.from('12345678\r\n'));
    expect(isMailprobeError(catchError(() => reader.push(Buffer.from('.\r\n'))), 'ELIMIT')).toBe(true);
  });

  it('rejects a line without LF as EPROTOCOL', () => {
    expect(isMailprobeError(catchError(() => new MultilineReader().push(Buffer.from('abc'))), 'EPROTOCOL')).toBe(true);
  });
});
