import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('shows examples/mail-server.test.ts verbatim (which npm test runs against the lab)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/mail-server.test.ts', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });
});
