import type { ServerResponse } from 'node:http';

// The headers OWASP recommends for a JSON API: nothing may be sniffed, framed or cached.
// Referrer-Policy and the Cross-Origin-*-Policy headers protect documents that navigate or embed
// resources; JSON responses do neither, and every header costs each response, so they are left
// out. The docs page sets its own Content-Security-Policy, since it runs a script bundle.
const HEADERS: ReadonlyArray<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
];

/** Sets the security headers on a response (`createServer` does so for every response). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of HEADERS) res.setHeader(name, value);
}
