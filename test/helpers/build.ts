import { execFileSync } from 'node:child_process';

/** Makes sure dist/ is built from the current sources (quick when it already is). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
}
