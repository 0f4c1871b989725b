import { describe, expect, it } from 'vitest';
import { parseRespCode, parseStatus, respCodeLevels } from '../../../drivers/pop3/status.js';

describe('RFC 2449 §8 response codes', () => {
  it('extracts the code of -ERR and +OK lines (RFC 3206 codes included)', () => {
    expect(parseStatus(Buffer.from('-ERR [SYS/TEMP] try later\r\n')).code).toBe('SYS/TEMP');
    expect(parseStatus(Buffer.from('-ERR [AUTH] bad password\r\n')).code).toBe('AUTH');
    expect(parseStatus(Buffer.from('-ERR [IN-USE] locked\r\n')).code).toBe('IN-USE');
    expect(parseStatus(Buffer.from('+OK [LOGIN-DELAY] 900\r\n')).code).toBe('LOGIN-DELAY');
    expect(parseStatus(Buffer.from('-ERR [SYS/TEMP] x\r\n')).text).toBe('[SYS/TEMP] x');
  });

  it('splits hierarchical codes into levels', () => {
    expect(respCodeLevels('SYS/TEMP')).toEqual(['SYS', 'TEMP']);
  });

  it.each(['[]', '[SYS/]', '[/TEMP]', '[SYS TEMP]', '[SYS', 'text [AUTH]', '[\u00e9]'])('treats %j as plain text', (text) => {
    expect(parseRespCode(text)).toBeUndefined();
  });

  it('gives no code to a continuation, even if it looks like one', () => {
    expect(parseStatus(Buffer.from('+ [AUTH]\r\n')).code).toBeUndefined();
  });
});
