// Copy the HTML report's stylesheet and page scripts (reports/html/assets: plain CSS and JS,
// not compiled by tsc) next to the compiled renderer, which reads and inlines them.
// `node scripts/copy-html-assets.mjs [OUT_DIR]` (default dist).
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { argv } from 'node:process';

const from = join('reports', 'html', 'assets');
const to = join(argv[2] ?? 'dist', 'reports', 'html', 'assets');
mkdirSync(to, { recursive: true });
for (const file of readdirSync(from)) if (/\.(css|js)$/.test(file)) cpSync(join(from, file), join(to, file));
