/**
 * The README's CI example reads its target from the environment, as a user's CI would set it;
 * here the environment points at the lab (only where not already set).
 */
import { inject } from 'vitest';

const lab = inject('lab');
const defaults: Record<string, string> = {
  SUBMISSION_URL: `submission://${lab.hosts.smtp}:${lab.ports.submission}`,
  IMAPS_URL: `imaps://${lab.hosts.imap}:${lab.ports.imaps}`,
  MAIL_SERVERNAME: lab.servername,
  MAIL_CA_FILE: lab.rootCaPath,
};
for (const [key, value] of Object.entries(defaults)) process.env[key] ??= value;
