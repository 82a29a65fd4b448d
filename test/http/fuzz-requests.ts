import fc from 'fast-check';

// Generators for hostile-but-sendable HTTP requests: everything node:http will put on the wire
// (raw protocol garbage is covered by hostile-clients.test.ts). `idSlot` names a live session
// chosen at send time, so requests reach real sessions as well as missing ones.

/** A request before a live session id is filled in. */
export interface FuzzRequest {
  method: string;
  /** Path with an optional `{id}` placeholder. */
  path: string;
  /** Which live session replaces `{id}` (modulo the pool size). */
  idSlot: number;
  query: string;
  headers: Record<string, string>;
  body?: string;
  /** True when the server may legitimately close the connection before reading all of it. */
  mayBeCutOff: boolean;
}

const BASE = '/api/v1/agent-sessions';
const HUGE = 300 * 1024; // over the 256 KiB default body limit

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const pollution = ['__proto__', 'constructor', 'prototype'];
/** Percent-encodes text; a lone surrogate becomes the invalid UTF-8 bytes it would have been. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};
const weirdText = fc.constantFrom('', ' ', 'ünïcødé ✓', '😀'.repeat(50), '\u0000', '\ud800', 'x'.repeat(300), '../../etc/passwd', '<script>', "' OR 1=1 --");

const idSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constant('{id}') },
  { weight: 4, arbitrary: fc.constantFrom('sess_doesNotExist00000000', 'sess_', '__proto__', 'constructor', 'prototype', '..', '%2e%2e', '%2F', '%00', '%E0%A4%A', '%ZZ', '%F0%9F%98%80', 'sess_%C3%BC', '.', '~') },
  { weight: 1, arbitrary: fc.constantFrom(4_000, 30_000).map((n) => 'a'.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map(encode) },
);

const path = fc.oneof(
  { weight: 3, arbitrary: fc.constant(BASE) },
  { weight: 6, arbitrary: fc.tuple(idSegment, fc.constantFrom('', '', '/pause', '/resume', '/', '/pause/', '/unknown', '//', '/../pause')).map(([id, tail]) => `${BASE}/${id}${tail}`) },
  { weight: 2, arbitrary: fc.constantFrom('/', '/api', '/api/v1', `${BASE}/`, `${BASE}//`, '/API/V1/AGENT-SESSIONS', '/api/v1/agent-sessions/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/favicon.ico', '/healthz', '/readyz', '/metrics', '/metrics?x=1', '//api/v1/agent-sessions', '/api/v1/agent-sessions%00', '/api/v1/agent-sessions;x=1', '*') },
);

const queryValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '100', '1000', '1001', '1.5', '1e3', '0x10', ' 1', '99999999999999999999', 'active', 'paused', 'running', 'completed', 'failed', 'ACTIVE', 'db-1', 'db-2', 'true', 'null', '[]'),
  weirdText,
).map(encode);
const queryKey = fc.constantFrom('limit', 'offset', 'status', 'db_connection_id', 'limit[]', 'status[0]', 'foo', '', ...pollution, '__proto__[polluted]', 'constructor[prototype][polluted]');
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encode(k)}=${v}`).join('&')}`));

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application',
  ';;;',
  '',
);
const ifMatch = fc.constantFrom('"1"', '"2"', '"3"', '*', ' * ', 'W/"1"', '1', '""', '"abc"', '"1", "2"', '"0"', '"-1"', '"01"', '"1.5"', '"99999999999999999999"', `"${'9'.repeat(400)}"`, ',', '"', 'null');
const headers = fc.record(
  {
    'content-type': contentType,
    'if-match': ifMatch,
    accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'application/xml', ''),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', 'garbage'),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
    'x-long': fc.constantFrom(2_000, 20_000).map((n) => 'h'.repeat(n)),
  },
  { requiredKeys: [] },
);

const jsonish = fc.jsonValue({ maxDepth: 4 });
const validCreate = fc.record(
  {
    db_connection_id: fc.constantFrom('db-1', 'db-2', 'db-3'),
    mode: fc.constantFrom('analysis', 'query', 'script', 'full_autonomy', 'turbo'),
    recursion_limit: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constantFrom(1.5, '100', null)),
    title: fc.oneof(weirdText, fc.constant(null)),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 4 }), fc.constant(null), fc.constant([1, 2])),
  },
  { requiredKeys: [] },
);
const validPatch = fc.record(
  {
    title: fc.oneof(weirdText, fc.constant(null)),
    status: fc.constantFrom('active', 'paused', 'running', 'completed', 'failed', 'deleted', ''),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 4 }), fc.constant(null)),
  },
  { requiredKeys: [] },
);
const pollutingBody = fc.constantFrom(
  ...pollution.map((key) => `{"db_connection_id":"db-1","${key}":{"polluted":true}}`),
  ...pollution.map((key) => `{"db_connection_id":"db-1","metadata":{"${key}":{"polluted":true}}}`),
  '{"db_connection_id":"db-1","metadata":{"a":{"constructor":{"prototype":{"polluted":true}}}}}',
  '{"metadata":{"__proto__":{"polluted":true}},"title":"x"}',
  '{"status":"paused","__proto__":{"status":"completed"}}',
);
const garbageBody = fc.oneof(
  fc.constantFrom('', '{', '}', 'null', 'true', '0', '[]', '"text"', 'NaN', '{"a":1,}', '\u0000\u0001\u0002', '\ufeff{}', 'undefined', '{"db_connection_id":"db-1"}garbage'),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(deepArray(5_000), deepObject(5_000), deepObject(11), `{"db_connection_id":"db-1","metadata":${deepObject(12)}}`),
);
const hugeBody = fc.constantFrom(
  `{"db_connection_id":"db-1","title":"${'t'.repeat(HUGE)}"}`,
  `{"db_connection_id":"db-1","metadata":{"blob":"${'m'.repeat(70 * 1024)}"}}`,
  `{"db_connection_id":"${'d'.repeat(257)}"}`,
);

const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: validCreate.map((b) => JSON.stringify(b)) },
  { weight: 4, arbitrary: validPatch.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: pollutingBody },
  { weight: 3, arbitrary: garbageBody },
  { weight: 1, arbitrary: hugeBody },
  { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v)) },
);

const method = fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PATCH', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT_NOT');

/** One generated request. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ method, path, idSlot: fc.nat(), query, headers, body })
  .map((r) => ({
    ...r,
    mayBeCutOff: (r.body?.length ?? 0) > HUGE / 2 || r.path.length + r.query.length > 8_000 || (r.headers['x-long']?.length ?? 0) > 10_000,
  }));
