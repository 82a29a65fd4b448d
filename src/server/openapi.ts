import packageJson from '../../package.json' with { type: 'json' };
import { withRequiredScopes } from './auth/route-scopes.js';
import { PROBLEM_TYPES } from './problems.js';
import { COLLECTION_PATH } from './router.js';
import * as schemas from './schemas.js';

// The OpenAPI 3.1 description of the router, built from the TypeBox schemas in schemas.ts:
// every request body, response body and list query parameter below is a reference to (or a
// property of) one of them, so the document cannot drift from what ajv enforces.

/** An OpenAPI 3.1 document as plain JSON. */
export type OpenApiDocument = Readonly<Record<string, unknown>>;

/** The path of the single-session resource as OpenAPI writes it. */
export const OPENAPI_ITEM_PATH = `${COLLECTION_PATH}/{session_id}`;

/** The wire schemas under their OpenAPI component names. */
const COMPONENT_SCHEMAS = {
  CreateSessionBody: schemas.CreateSessionBody,
  UpdateSessionBody: schemas.UpdateSessionBody,
  Session: schemas.SessionResource,
  SessionPage: schemas.SessionPageResource,
  Created: schemas.CreatedResource,
  Status: schemas.StatusResource,
  Problem: schemas.Problem,
  SessionEvent: schemas.SessionEventResource,
  CopySessionBody: schemas.CopySessionBody,
  PauseAllBody: schemas.PauseAllBody,
  ResumeAllBody: schemas.ResumeAllBody,
  PausedCount: schemas.PausedCountResource,
  ResumedCount: schemas.ResumedCountResource,
};
type ComponentName = keyof typeof COMPONENT_SCHEMAS;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

/** TypeBox schemas carry symbol keys; a JSON round trip leaves the plain JSON Schema. */
const plainJson = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const json = (name: ComponentName) => ({ 'application/json': { schema: ref(name) } });

const ETAG_HEADER = {
  ETag: { description: 'Strong entity tag of the session version; send it back in `If-Match`.', schema: { type: 'string' } },
};

const ERROR_STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input, header or state transition, or a request that is not valid HTTP/1.1.',
  401: 'No valid API key (only when the server is configured with API keys).',
  403:
    "The key's (or the host principal's) scopes do not cover this call, a create or bulk call names a db connection it may not reach, " +
    'or a write authenticated by the console login cookie lacks `X-Requested-With` or comes from another origin.',
  404: 'Unknown session id.',
  405: 'This path does not answer the method used; `Allow` lists the methods it does.',
  408: 'The request (headers or body) did not arrive within the server timeout; the connection is closed.',
  412: '`If-Match` does not match the current version of the session.',
  413: 'The request body is over the size limit.',
  415: 'The request body is not `application/json` (UTF-8), or is compressed (`Content-Encoding`).',
  417: 'An `Expect` header other than `100-continue`; the connection is closed.',
  422: 'This `Idempotency-Key` already created a session from a different request body; use a new key.',
  431: 'The request line and headers are over the size limit, or there are more headers than the limit (100 by default); the connection is closed.',
  501: 'The session store does not support change events.',
  500: 'An unexpected fault (`urn:agent-sessions:problem:internal-error`); no internals are included.',
  503: 'The session store is unreachable (try again later), or did not confirm a write in time (it may have been applied: read before retrying).',
};

/** A problem response; the description lists the problem types this server uses for the status. */
function problemResponse(status: number) {
  const types = PROBLEM_TYPES.filter((p) => p.status === status).map((p) => `\`${p.type}\` (${p.title})`);
  const description = [ERROR_STATUS_DESCRIPTIONS[status], ...types].join(' ');
  const response: Record<string, unknown> = {
    description,
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
  if (status === 405) response.headers = { Allow: { description: 'Methods this path answers.', schema: { type: 'string' } } };
  return response;
}

// Every operation can meet these: a missing key, a scope it lacks, a method the path does not
// serve, an unmet Expect header, a fault, an unreachable store.
const ALWAYS_POSSIBLE = [401, 403, 405, 408, 417, 431, 500, 503];
const WITH_BODY = [400, 413, 415];
const ON_ONE_SESSION = [404];
const CONDITIONAL = [400, 403, 412];

function errorResponses(...statusGroups: number[][]) {
  const statuses = [...new Set([...statusGroups.flat(), ...ALWAYS_POSSIBLE])].sort((a, b) => a - b);
  return Object.fromEntries(statuses.map((status) => [String(status), problemResponse(status)]));
}

/** Parameters several operations share, as `components.parameters`. */
const PARAMETERS = {
  SessionId: {
    name: 'session_id',
    in: 'path',
    required: true,
    description: 'The session id, as `session_id` from create or `id` in a session.',
    schema: { type: 'string' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'Apply only if the session is still at this entity tag (from `ETag`), else 412. `*` or absent: any version.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the create safe to retry (1-255 printable ASCII characters, such as a UUID): the same key with the same body ' +
      'within IDEMPOTENCY_TTL (24 h by default) answers the first answer again, with `Idempotent-Replayed: true`; ' +
      'the same key with another body is 422. Keys are scoped to the API key that sent them.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  LastEventId: {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    description:
      'Resume after this event id (sent by EventSource on reconnect); events still retained by the store are replayed first. ' +
      'An id the store never issued means live events only.',
    schema: { type: 'string' },
  },
};
const parameterRef = (name: keyof typeof PARAMETERS) => ({ $ref: `#/components/parameters/${name}` });

/** One query parameter per property of a query-string schema. */
function queryParameters(querySchema: typeof schemas.ListSessionsQuery | typeof schemas.SessionEventsQuery) {
  const query = plainJson(querySchema) as { properties: Record<string, object>; required?: string[] };
  return Object.entries(query.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query.required?.includes(name) ?? false,
    schema,
  }));
}

function statusChange(verb: 'pause' | 'resume', summary: string) {
  return {
    post: {
      operationId: `${verb}AgentSession`,
      summary,
      parameters: [parameterRef('IfMatch')],
      responses: {
        '200': { description: 'The new status.', headers: ETAG_HEADER, content: json('Status') },
        ...errorResponses(ON_ONE_SESSION, CONDITIONAL),
      },
    },
  };
}

/** A POST that moves every matching session of one db connection, answering how many it moved. */
function bulkStatusChange(operationId: string, summary: string, body: ComponentName, result: ComponentName) {
  return {
    post: {
      operationId,
      summary,
      requestBody: { required: true, content: json(body) },
      responses: { '200': { description: 'How many sessions this call moved.', content: json(result) }, ...errorResponses(WITH_BODY) },
    },
  };
}

/** A Server-Sent Events stream of change events. */
function eventStream(operationId: string, summary: string, parameters: object[], errors: number[]) {
  return {
    get: {
      operationId,
      summary,
      parameters: [...parameters, parameterRef('LastEventId')],
      responses: {
        '200': {
          description:
            'A `text/event-stream` that stays open: per change, an `id:` line (the event id) and a `data:` line holding a ' +
            '`SessionEvent` JSON object (see components); `: heartbeat` comments keep it alive. Ends on server shutdown. ' +
            'A resume from before the retained events starts with `event: missed` (`data: {"type":"missed","detail":…}`): ' +
            'reload, then keep following. A client more than the send buffer behind gets `event: overflow` and the stream ends. ' +
            '503 `too-many-streams` (with `Retry-After`) when the server has as many streams open as it allows.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...errorResponses(errors, [501]),
      },
    },
  };
}

function build(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent Session API',
      version: packageJson.version,
      description:
        'Manage autonomous agent sessions. Every error is RFC 9457 problem JSON. With scoped keys, each operation ' +
        'needs the scope in its `x-required-scope` (`sessions:read` < `sessions:write` < `sessions:admin`, each ' +
        'including the ones before it); outside it: 403.',
    },
    paths: withRequiredScopes({
      [COLLECTION_PATH]: {
        post: {
          operationId: 'createAgentSession',
          summary: 'Create an agent session (it starts `active`).',
          parameters: [parameterRef('IdempotencyKey')],
          requestBody: { required: true, content: json('CreateSessionBody') },
          responses: {
            '201': {
              description: 'Created; or, for a retry with the same `Idempotency-Key` and body, the first answer again.',
              headers: {
                Location: { description: 'Path of the new session.', schema: { type: 'string' } },
                ...ETAG_HEADER,
                'Idempotent-Replayed': {
                  description: '`true` when this answer repeats an earlier create with the same `Idempotency-Key`.',
                  schema: { type: 'string', enum: ['true'] },
                },
              },
              content: json('Created'),
            },
            ...errorResponses(WITH_BODY, [422]),
          },
        },
        get: {
          operationId: 'listAgentSessions',
          summary: 'List agent sessions, newest first.',
          parameters: queryParameters(schemas.ListSessionsQuery),
          responses: { '200': { description: 'One page.', content: json('SessionPage') }, ...errorResponses([400]) },
        },
      },
      [`${COLLECTION_PATH}/pause`]: bulkStatusChange(
        'pauseAgentSessions',
        'Emergency stop: pause every `active` and `running` session of one db connection (running tasks are aborted).',
        'PauseAllBody',
        'PausedCount',
      ),
      [`${COLLECTION_PATH}/resume`]: bulkStatusChange(
        'resumeAgentSessions',
        'Resume every `paused` session of one db connection.',
        'ResumeAllBody',
        'ResumedCount',
      ),
      [`${OPENAPI_ITEM_PATH}/copy`]: {
        parameters: [parameterRef('SessionId')],
        post: {
          operationId: 'copyAgentSession',
          summary: "Create a new `active` session with this one's db connection, mode, recursion limit, title and metadata.",
          requestBody: { required: false, content: json('CopySessionBody') },
          responses: {
            '201': {
              description: 'Created; the body may replace `title` and `metadata`.',
              headers: { Location: { description: 'Path of the new session.', schema: { type: 'string' } }, ...ETAG_HEADER },
              content: json('Created'),
            },
            ...errorResponses(WITH_BODY, ON_ONE_SESSION),
          },
        },
      },
      [`${COLLECTION_PATH}/events`]: eventStream(
        'streamAgentSessionEvents',
        'Stream change events of every session, or of one db connection.',
        queryParameters(schemas.SessionEventsQuery),
        [400],
      ),
      [`${OPENAPI_ITEM_PATH}/events`]: {
        parameters: [parameterRef('SessionId')],
        ...eventStream(
          'streamAgentSessionEventsOfSession',
          'Stream change events of one session; the stream ends after its `deleted` event.',
          [],
          ON_ONE_SESSION,
        ),
      },
      [OPENAPI_ITEM_PATH]: {
        parameters: [parameterRef('SessionId')],
        get: {
          operationId: 'getAgentSession',
          summary: 'Get one agent session.',
          responses: {
            '200': { description: 'The session.', headers: ETAG_HEADER, content: json('Session') },
            ...errorResponses(ON_ONE_SESSION),
          },
        },
        patch: {
          operationId: 'updateAgentSession',
          summary: 'Change title, status and/or metadata (metadata is replaced whole).',
          parameters: [parameterRef('IfMatch')],
          requestBody: { required: true, content: json('UpdateSessionBody') },
          responses: {
            '200': { description: 'The updated session.', headers: ETAG_HEADER, content: json('Session') },
            ...errorResponses(WITH_BODY, ON_ONE_SESSION, CONDITIONAL),
          },
        },
        delete: {
          operationId: 'deleteAgentSession',
          summary: 'Delete an agent session.',
          parameters: [parameterRef('IfMatch')],
          responses: {
            '200': { description: '`{"status":"deleted"}`.', content: json('Status') },
            ...errorResponses(ON_ONE_SESSION, CONDITIONAL),
          },
        },
      },
      [`${OPENAPI_ITEM_PATH}/pause`]: {
        parameters: [parameterRef('SessionId')],
        ...statusChange('pause', 'Pause an `active` or `running` session.'),
      },
      [`${OPENAPI_ITEM_PATH}/resume`]: {
        parameters: [parameterRef('SessionId')],
        ...statusChange('resume', 'Resume a `paused` session.'),
      },
    }),
    components: {
      schemas: Object.fromEntries(Object.entries(COMPONENT_SCHEMAS).map(([name, schema]) => [name, plainJson(schema)])),
      parameters: PARAMETERS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key as a bearer token.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    // Keys are needed only when the server is configured with API_KEYS, hence the empty option.
    security: [{ bearer: [] }, { apiKey: [] }, {}],
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

let document: OpenApiDocument | undefined;

/** The OpenAPI 3.1 document of the agent-session API, built once and frozen (clone it to customise). */
export function buildOpenApiDocument(): OpenApiDocument {
  return (document ??= deepFreeze(build()));
}
