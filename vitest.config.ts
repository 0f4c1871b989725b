import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    setupFiles: ['test/setup-example-env.ts'],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // Real Postfix and Dovecot on loopback for the whole run; tests read them with inject('lab').
    globalSetup: ['test/lab/global-setup.ts'],
    // Unhandled rejections and uncaught exceptions fail the run (vitest's default; kept explicit).
    dangerouslyIgnoreUnhandledErrors: false,
    pool: 'forks',
  },
});
