import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UnauthorizedError } from './http-errors.js';
import { readJsonBody } from './json-body.js';
import type { ApiKeySource } from './auth/api-keys.js';
import { checkCookieWrite, consoleCookieHeader } from './middleware/console-cookie.js';
import { ConsoleLoginBody } from './schemas.js';
import { compileValidator } from './validate.js';

/** Where the operator console is served. */
export const CONSOLE_PATH = '/console';

// The console is plain files shipped in the package (src/server/console, copied to
// dist/console by the build): no CDN, no build step, nothing fetched from elsewhere.
const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};
const PAGE = 'index.html';

// The page may load only its own scripts and styles and talk only to this origin.
const CONSOLE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const validateLogin = compileValidator(ConsoleLoginBody, 'body');
const LOGIN_BODY_LIMIT_BYTES = 4 * 1024;

/** Options for `createConsoleRouter`. */
export interface ConsoleRouterOptions {
  /**
   * The server's API keys (plain and key-file entries); without, the console needs no login (no
   * keys, or a host's own `authorize` decides who calls the API).
   */
  keys?: Pick<ApiKeySource, 'consoleLogin'>;
}

/** The files, read once on first use (about 20 KB in all). */
function assetReader(): (file: string) => Buffer {
  const dir = fileURLToPath(new URL('./console/', import.meta.url));
  const cache = new Map<string, Buffer>();
  return (file) => {
    let content = cache.get(file);
    if (!content) cache.set(file, (content = readFileSync(dir + file)));
    return content;
  };
}

/**
 * `GET /console` (the page and its files, public: they hold no data) and `POST /console/login`
 * and `/console/logout`, which set and clear the HttpOnly login cookie. Mount it before the
 * API-key check; the API then accepts that cookie, with a CSRF check on writes.
 */
export function createConsoleRouter(options: ConsoleRouterOptions = {}): Router {
  const { keys } = options;
  const read = assetReader();
  const router = new Router();

  for (const path of [CONSOLE_PATH, `${CONSOLE_PATH}/`]) {
    router.get(path, (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', CONSOLE_POLICY);
      ctx.body = read(PAGE);
    });
  }
  for (const [file, type] of Object.entries(ASSETS)) {
    router.get(`${CONSOLE_PATH}/${file}`, (ctx) => {
      ctx.type = type;
      ctx.body = read(file);
    });
  }
  // Tells the page whether to offer log-in and log-out; says nothing about the caller.
  router.get(`${CONSOLE_PATH}/auth`, (ctx) => {
    ctx.body = { login_required: keys !== undefined };
  });
  router.post(`${CONSOLE_PATH}/login`, async (ctx) => {
    const { key } = validateLogin(await readJsonBody(ctx, LOGIN_BODY_LIMIT_BYTES));
    if (keys) {
      // Constant time, like every key check; the cookie then carries this key's principal.
      if (!keys.consoleLogin(key)) throw new UnauthorizedError();
      ctx.set('Set-Cookie', consoleCookieHeader(ctx, key));
    }
    ctx.status = 204;
  });
  router.post(`${CONSOLE_PATH}/logout`, (ctx) => {
    checkCookieWrite(ctx); // so no other site can log the operator out
    ctx.set('Set-Cookie', consoleCookieHeader(ctx, undefined));
    ctx.status = 204;
  });
  return router;
}
