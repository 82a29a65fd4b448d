import { expect } from 'chai';

/**
 * Why a response is not a clean client-facing answer, or `undefined` when it is: 2xx/3xx pass;
 * a 4xx must be problem JSON whose `status` equals the HTTP status, with no stack trace or file
 * path anywhere in the body; a 5xx is always wrong.
 */
export function problemResponseFault(status: number, contentType: string | null, body: string): string | undefined {
  if (status >= 500) return `status ${status} (server fault): ${body.slice(0, 300)}`;
  if (status < 400) return undefined;
  if (!contentType?.startsWith('application/problem+json')) return `${status} with Content-Type '${contentType}'`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `${status} with a body that is not JSON: ${body.slice(0, 200)}`;
  }
  for (const field of ['type', 'title', 'detail']) {
    if (typeof problem[field] !== 'string') return `${status} problem without a string '${field}': ${body.slice(0, 200)}`;
  }
  if (problem.status !== status) return `problem status ${String(problem.status)} differs from HTTP ${status}`;
  if (/\n\s+at |\bat [\w.<>]+ \(|file:\/\/|\/node_modules\/|\/src\/|\.ts:\d+/.test(body)) {
    return `${status} problem leaks a stack trace or path: ${body.slice(0, 300)}`;
  }
  return undefined;
}

/** A raw HTTP/1.1 response split into status, one header and body (enough for these tests). */
export function parseRawResponse(raw: string): { status: number; contentType: string | null; body: string } {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? NaN);
  const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1] ?? null;
  return { status, contentType, body: headerEnd === -1 ? '' : raw.slice(headerEnd + 4) };
}

/** Asserts a clean problem response of `status` and type `urn:agent-sessions:problem:<slug>`; returns the problem. */
export async function expectProblem(response: Response, status: number, slug: string) {
  const body = await response.text();
  expect(response.status, body).to.equal(status);
  expect(problemResponseFault(response.status, response.headers.get('content-type'), body)).to.equal(undefined);
  const problem = JSON.parse(body) as { type: string; detail: string; errors?: Array<{ path: string; message: string }> };
  expect(problem.type).to.equal(`urn:agent-sessions:problem:${slug}`);
  return problem;
}
