// Builds dist/ with tsup when it is missing or older than any source file, so `npm start`
// works on a fresh clone and stays quick afterwards.
import { execSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const built = 'dist/cli.js';
const stale =
  !existsSync(built) ||
  Math.max(newestMtime('src'), statSync('package.json').mtimeMs, statSync('tsup.config.ts').mtimeMs) >
    statSync(built).mtimeMs;
if (stale) execSync('npx tsup', { stdio: 'inherit' });
