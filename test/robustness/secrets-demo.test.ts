/**
 * `mailprobe demo` logs in with passwords its sandbox generates. The generator is replaced by
 * one that returns known, distinctive passwords (everything else runs for real), and every
 * file the demo writes, plus its console output, is searched for them and their base64 forms.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/main.js';
import { fakeIo } from '../helpers/cli.js';
import { findLeaks, secretForms } from './secrets.js';

const PASSWORDS = ['Demo-Pangolin-Pass-3307', 'Demo-Tapir-Pass-6619'];
let used = 0;

// The demo's sandbox has no users given, so resolveUsers generates alice's and bob's passwords:
// give them these instead (names and everything else unchanged).
vi.mock('../../sandbox/users.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../sandbox/users.js')>();
  return {
    ...real,
    resolveUsers: (given: Parameters<typeof real.resolveUsers>[0], domain: string) => {
      if (given && given.length > 0) return real.resolveUsers(given, domain);
      used++;
      return real.resolveUsers(real.DEFAULT_USER_NAMES.map((user, i) => ({ user, password: PASSWORDS[i]! })), domain);
    },
  };
});

describe('secrets: demo', () => {
  it('no generated password (or its base64 forms) in the console or any report the demo writes', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailprobe-demo-secrets-'));
    try {
      const io = fakeIo({ MAILPROBE_DEBUG: '1', NO_COLOR: '1' });
      const code = await main(['demo', '--out', out, '--bench-duration', '1s'], io);
      expect(code, io.out() + io.err()).toBe(0);
      // The generator was used: the sandbox users got these passwords, so the demo logged in with them.
      expect(used).toBe(1);
      const outputs: Record<string, string> = { stdout: io.out(), stderr: io.err() };
      for (const name of await readdir(out)) outputs[name] = await readFile(join(out, name), 'utf8');
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['report.json', 'report.html', 'summary.md', 'junit.xml', 'check.json', 'diagnose.json', 'bench-smtp.json']));
      const forms = ['alice', 'bob'].flatMap((u, i) => secretForms(`${u}@sandbox.mailprobe.test`, PASSWORDS[i]!));
      expect(findLeaks(outputs, forms)).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
