import type { Context, Next } from 'koa';

// Headers for a JSON API: nothing may be sniffed, framed, cached or sent a referrer. The docs
// page sets its own Content-Security-Policy, since it runs a script bundle.
const HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Sets the security headers on every response. */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set(HEADERS);
  await next();
}
