import { describe, expect, it } from 'vitest';
import { carriesMessageData, commandKeyword, expectsMultiline, metricName } from '../../../drivers/pop3/commands.js';

describe('command knowledge', () => {
  it.each([
    ['LIST', true],
    ['list 1', false],
    ['UIDL', true],
    ['UIDL 3', false],
    ['RETR 1', true],
    ['TOP 1 0', true],
    ['CAPA', true],
    ['STAT', false],
    ['XYZZY', false],
  ])('%s is multi-line: %s', (line, multi) => {
    expect(expectsMultiline(line)).toBe(multi);
  });

  it('knows which bodies are message data', () => {
    expect(carriesMessageData('retr 1')).toBe(true);
    expect(carriesMessageData('LIST')).toBe(false);
  });

  it('names metrics from a bounded set', () => {
    expect(metricName(commandKeyword('retr 1'))).toBe('pop3.retr');
    expect(metricName(commandKeyword('XYZZY 1'))).toBe('pop3.other');
  });
});
