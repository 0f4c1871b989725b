// Copy the suite files (YAML, not compiled by tsc) next to the compiled suites in dist/.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

for (const protocol of readdirSync('suites', { withFileTypes: true })) {
  if (!protocol.isDirectory()) continue;
  const from = join('suites', protocol.name);
  const to = join('dist', 'suites', protocol.name);
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from)) if (file.endsWith('.yaml')) cpSync(join(from, file), join(to, file));
}
