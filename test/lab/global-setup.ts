/**
 * vitest globalSetup: one lab per `vitest run`, started in the main process before any worker
 * and handed to tests as `inject('lab')`. Returning the teardown (rather than exporting one)
 * keeps the running lab in this closure instead of module state.
 *
 * Default export because vitest loads this file by path (the STYLE exception for modules a
 * framework imports lazily).
 */
import type { TestProject } from 'vitest/node';
import './info.js'; // declares ProvidedContext.lab for inject('lab')
import { startLab } from './lab.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  const lab = await startLab();
  const { info } = lab;
  const p = info.ports;
  // One line so CI logs show the servers really ran, and where.
  console.log(
    `lab: postfix ${info.versions.postfix} on ${info.hosts.smtp} ports smtp=${p.smtp} submission=${p.submission} smtps=${p.smtps}, ` +
      `dovecot ${info.versions.dovecot} on ${info.hosts.imap} ports imap=${p.imap} imaps=${p.imaps} pop3=${p.pop3} pop3s=${p.pop3s} ` +
      `lmtp=${info.hosts.lmtp}:${p.lmtp} (started in ${Date.now() - startedAt} ms, ${info.dir})`,
  );
  project.provide('lab', info);
  return () => lab.stop();
}
