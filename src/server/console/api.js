// The console's only way to the server: the documented REST API and its event stream, on this
// origin. The login cookie travels by itself; every request also sends X-Requested-With, which
// the server requires of cookie-authenticated writes (CSRF defence).

const BASE = '/api/v1/agent-sessions';
const HEADERS = { Accept: 'application/json', 'X-Requested-With': 'agent-sessions-console' };

/** A non-2xx answer, with the problem JSON the server sent (if any). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, { body, ifMatch } = {}) {
  const headers = { ...HEADERS };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get('ETag') };
}

const item = (id) => `${BASE}/${encodeURIComponent(id)}`;

export const api = {
  /** One page of sessions; `query` holds the list filters and paging, empty values left out. */
  list(query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== '' && value !== undefined) params.set(name, String(value));
    return call('GET', `${BASE}?${params}`).then(({ data }) => data);
  },
  get: (id) => call('GET', item(id)),
  pause: (id, etag) => call('POST', `${item(id)}/pause`, { ifMatch: etag }),
  resume: (id, etag) => call('POST', `${item(id)}/resume`, { ifMatch: etag }),
  remove: (id, etag) => call('DELETE', item(id), { ifMatch: etag }),
  /** The emergency stop for one db connection (answers 404 or 405 where the server lacks it). */
  pauseAll: (dbConnectionId) => call('POST', `${BASE}/pause`, { body: { db_connection_id: dbConnectionId } }),
  auth: () => call('GET', '/console/auth').then(({ data }) => data),
  login: (key) => call('POST', '/console/login', { body: { key } }),
  logout: () => call('POST', '/console/logout'),
  /** Live change events (all sessions, or one db connection's); the browser reconnects by itself. */
  events(dbConnectionId) {
    const query = dbConnectionId ? `?db_connection_id=${encodeURIComponent(dbConnectionId)}` : '';
    return new EventSource(`${BASE}/events${query}`);
  },
};
