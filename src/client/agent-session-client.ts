import type {
  CopySessionBody,
  CreatedResource,
  CreateSessionBody,
  PauseAllBody,
  PausedCountResource,
  ResumeAllBody,
  ResumedCountResource,
  ListSessionsQuery,
  SessionPageResource,
  SessionResource,
  UpdateSessionBody,
} from '../server/schemas.js';
import { openEventStream, type SessionEventStream } from './event-stream.js';
import { AgentSessionApiError, apiErrorFromOtherResponse, apiErrorFromResponse, parseJsonReply } from './errors.js';

// Type-only imports above: this module must not load Koa, ajv or any server code at run time.

/** Where the API lives below the base URL (the server's COLLECTION_PATH). */
const COLLECTION_PATH = '/api/v1/agent-sessions';

/** Options for `new AgentSessionClient(...)`. */
export interface AgentSessionClientOptions {
  /** Where the server is, such as `http://127.0.0.1:3000` (a path prefix in front of `/api/v1` is kept). */
  baseUrl: string | URL;
  /** The fetch to use (default: the global one), e.g. to add retries or tracing. */
  fetch?: typeof fetch;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

/** Options of calls that send nothing but may be cancelled. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of calls that change one session. */
export interface WriteCallOptions extends CallOptions {
  /** An `etag` from `get` or an earlier write: apply only if the session is still at it, else 412. */
  ifMatch?: string;
}

/** Options of `create`. */
export interface CreateCallOptions extends CallOptions {
  /**
   * Sent as `Idempotency-Key`: retrying with the same key and body (within the server's
   * IDEMPOTENCY_TTL, 24 h by default) answers the first session instead of creating another;
   * the same key with another body is an `IdempotencyKeyReusedApiError`.
   */
  idempotencyKey?: string;
}

/** A session and the entity tag of the version it shows. */
export interface SessionWithEtag {
  session: SessionResource;
  etag: string;
}

/** What pause and resume answer: the new status and the entity tag of the new version. */
export interface StatusChange {
  status: 'paused' | 'active';
  etag: string;
}

/** Options of `events`: which stream, where to resume, and the signal that ends it. */
export type EventsOptions = CallOptions & {
  /** Resume after this event id (`lastEventId` of an earlier stream), as far as the server still holds events. */
  lastEventId?: string;
} & (
    | { /** One session's events; the stream ends after its `deleted` event. */ sessionId: string; dbConnectionId?: never }
    | { sessionId?: never; /** Only sessions of this db connection (default: every session). */ dbConnectionId?: string }
  );

interface Call {
  method: string;
  path: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  options?: WriteCallOptions;
  headers?: Record<string, string>;
}

/**
 * A typed fetch client for the agent-session REST API. Bodies and results use the wire names
 * (snake_case), exactly as in the REST docs and the OpenAPI document. Error statuses reject with
 * an `AgentSessionApiError` subclass; a request that gets no answer rejects with fetch's error.
 */
export class AgentSessionClient {
  private readonly collectionUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(options: AgentSessionClientOptions) {
    this.collectionUrl = `${String(options.baseUrl).replace(/\/+$/, '')}${COLLECTION_PATH}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.headers = { ...options.headers };
  }

  /** Creates a session (it starts `active`) and answers its id; see `idempotencyKey` for safe retries. */
  async create(body: CreateSessionBody, options: CreateCallOptions = {}): Promise<CreatedResource> {
    const { idempotencyKey, ...callOptions } = options;
    const headers = idempotencyKey === undefined ? undefined : { 'idempotency-key': idempotencyKey };
    return (await this.send({ method: 'POST', path: '', body, options: callOptions, headers })).body as CreatedResource;
  }

  /** Creates a new `active` session from this one's fields; `title` and `metadata` in `body` replace the source's. */
  async copy(id: string, body: CopySessionBody = {}, options?: CallOptions): Promise<CreatedResource> {
    return (await this.send({ method: 'POST', path: `${itemPath(id)}/copy`, body, options })).body as CreatedResource;
  }

  /** Emergency stop: pauses every `active` and `running` session of one db connection (or of one of those statuses). */
  async pauseAll(body: PauseAllBody, options?: CallOptions): Promise<PausedCountResource> {
    return (await this.send({ method: 'POST', path: '/pause', body, options })).body as PausedCountResource;
  }

  /** Resumes every `paused` session of one db connection. */
  async resumeAll(body: ResumeAllBody, options?: CallOptions): Promise<ResumedCountResource> {
    return (await this.send({ method: 'POST', path: '/resume', body, options })).body as ResumedCountResource;
  }

  /** One page of sessions, newest first; `total` counts every match, not just this page. */
  async list(query: ListSessionsQuery = {}, options?: CallOptions): Promise<SessionPageResource> {
    return (await this.send({ method: 'GET', path: '', query, options })).body as SessionPageResource;
  }

  /** The session and its `etag`, for a later conditional write. */
  async get(id: string, options?: CallOptions): Promise<SessionWithEtag> {
    return this.sessionWithEtag(await this.send({ method: 'GET', path: itemPath(id), options }));
  }

  /** Changes title, status and/or metadata (metadata is replaced whole); answers the new version. */
  async update(id: string, patch: UpdateSessionBody, options?: WriteCallOptions): Promise<SessionWithEtag> {
    return this.sessionWithEtag(await this.send({ method: 'PATCH', path: itemPath(id), body: patch, options }));
  }

  /** Deletes the session; deleting it again is a `SessionNotFoundApiError`. */
  async delete(id: string, options?: WriteCallOptions): Promise<{ status: 'deleted' }> {
    return (await this.send({ method: 'DELETE', path: itemPath(id), options })).body as { status: 'deleted' };
  }

  /** Pauses an `active` or `running` session. */
  async pause(id: string, options?: WriteCallOptions): Promise<StatusChange> {
    return this.statusChange(await this.send({ method: 'POST', path: `${itemPath(id)}/pause`, options }));
  }

  /** Resumes a `paused` session. */
  async resume(id: string, options?: WriteCallOptions): Promise<StatusChange> {
    return this.statusChange(await this.send({ method: 'POST', path: `${itemPath(id)}/resume`, options }));
  }

  /**
   * Follows change events (Server-Sent Events): one session's with `sessionId`, else every
   * session's or one db connection's. Resolves once the server has subscribed, so no change made
   * after that is missed; then iterate with `for await`. See `SessionEventStream` for how it ends.
   */
  async events(options: EventsOptions = {}): Promise<SessionEventStream> {
    const { sessionId, dbConnectionId, lastEventId, signal } = options;
    // The per-session route has no filter: a dbConnectionId given with it would be silently ignored.
    if (sessionId !== undefined && dbConnectionId !== undefined) {
      throw new TypeError('events() takes sessionId or dbConnectionId, not both.');
    }
    const path = sessionId === undefined ? '/events' : `${itemPath(sessionId)}/events`;
    const url = `${this.collectionUrl}${path}${queryString({ db_connection_id: dbConnectionId })}`;
    const headers: Record<string, string> = { accept: 'text/event-stream, application/problem+json', ...this.headers };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return openEventStream(this.fetch, url, headers, signal);
  }

  private sessionWithEtag(reply: Reply): SessionWithEtag {
    return { session: reply.body as SessionResource, etag: requireEtag(reply) };
  }

  private statusChange(reply: Reply): StatusChange {
    return { status: (reply.body as StatusChange).status, etag: requireEtag(reply) };
  }

  private async send({ method, path, body, query, options = {}, headers: extraHeaders }: Call): Promise<Reply> {
    const url = `${this.collectionUrl}${path}${queryString(query)}`;
    const call = `${method} ${url}`;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    Object.assign(headers, extraHeaders);
    const response = await this.fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    return readReply(response, call);
  }
}

interface Reply {
  body: unknown;
  etag: string | null;
  status: number;
  call: string;
}

/** The server always sends an ETag here; without it a later `ifMatch` would silently be lost. */
function requireEtag(reply: Reply): string {
  if (reply.etag) return reply.etag;
  throw new AgentSessionApiError(reply.status, undefined, `${reply.call}: the response has no ETag header (stripped by a proxy?)`);
}

/** The path of one session; the id is percent-encoded so `/`, `?` or `#` in it stay part of it. */
function itemPath(id: string): string {
  // '', '.' and '..' would address another resource once URL parsing normalises the path.
  if (id === '' || id === '.' || id === '..') throw new TypeError(`'${id}' cannot be a session id.`);
  return `/${encodeURIComponent(id)}`;
}

function queryString(query: Call['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readReply(response: Response, call: string): Promise<Reply> {
  if (!response.ok) throw await apiErrorFromResponse(response, call);
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const parsed = parseJsonReply(contentType, text);
  if (parsed === undefined) throw apiErrorFromOtherResponse(response.status, contentType, text, `${call} (expected JSON)`);
  return { body: parsed, etag: response.headers.get('etag'), status: response.status, call };
}
