import { describe, expect, it } from 'vitest';
import { shouldColor } from '../../reports/index.js';

describe('shouldColor', () => {
  const tty = { isTTY: true };

  it('colours a TTY by default', () => {
    expect(shouldColor(tty, {})).toBe(true);
  });

  it('never colours a pipe or a file, whatever FORCE_COLOR says', () => {
    expect(shouldColor({}, {})).toBe(false);
    expect(shouldColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('honours NO_COLOR when set to anything non-empty (no-color.org)', () => {
    expect(shouldColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: '0' })).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('honours FORCE_COLOR=0 and false', () => {
    expect(shouldColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor(tty, { FORCE_COLOR: '1' })).toBe(true);
  });
});
