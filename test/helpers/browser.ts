import { execFileSync } from 'node:child_process';
import puppeteer, { type Browser } from 'puppeteer-core';

/** The browsers the console is tested in, as Debian packages them. */
export const BROWSERS = {
  chromium: { env: 'CHROMIUM_PATH', commands: ['chromium', 'chromium-browser'], apt: 'chromium' },
  firefox: { env: 'FIREFOX_PATH', commands: ['firefox-esr', 'firefox'], apt: 'firefox-esr' },
} as const;
export type BrowserName = keyof typeof BROWSERS;

/**
 * Where the browser is (its environment variable, else on PATH). A missing browser fails the
 * browser tests rather than skipping them: CI installs both (.ci/run), and so should anyone
 * running the suite.
 */
export function browserPath(name: BrowserName): string {
  const { env, commands, apt } = BROWSERS[name];
  if (process.env[env]) return process.env[env];
  try {
    return execFileSync('sh', ['-c', commands.map((command) => `command -v ${command}`).join(' || ')], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run \`apt-get install -y ${apt}\` (as .ci/run does) or set ${env}.`);
  }
}

/** A headless browser driven by puppeteer-core (CDP for Chromium, WebDriver BiDi for Firefox). */
export function launchBrowser(name: BrowserName): Promise<Browser> {
  const executablePath = browserPath(name);
  if (name === 'firefox') return puppeteer.launch({ browser: 'firefox', executablePath, headless: true });
  return puppeteer.launch({
    executablePath,
    headless: true,
    // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
