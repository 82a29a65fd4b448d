import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { METHODS } from 'node:http';
import { createAgentSessionManager } from '../../src/index.js';
import { buildOpenApiDocument, createAgentSessionRouter, CreateSessionBody, PROBLEM_TYPES } from '../../src/server/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

type Operation = { operationId: string; parameters?: Array<{ $ref?: string; name?: string }>; responses: Record<string, Response> };
type Response = { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref: string } }> };
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, { name: string; in: string }> };
};

const document = buildOpenApiDocument() as unknown as Document;
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** "METHOD path" for every operation the router serves, in OpenAPI's path syntax. */
function routerOperations(): string[] {
  const router = createAgentSessionRouter({ manager: createAgentSessionManager() });
  return router.stack
    .filter((layer) => !METHODS.every((method) => layer.methods.includes(method))) // the 405/OPTIONS catch-alls
    .flatMap((layer) =>
      layer.methods
        .filter((method) => method !== 'HEAD') // @koa/router adds HEAD to every GET; HTTP implies it
        .map((method) => `${method} ${String(layer.path).replace(':id', '{session_id}')}`),
    );
}

function documentOperations(): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => OPERATION_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function operations(): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    OPERATION_METHODS.filter((method) => item[method]).map((method): [string, Operation] => [`${method.toUpperCase()} ${path}`, item[method]]),
  );
}

describe('OpenAPI document', () => {
  it('describes exactly the operations the router serves', () => {
    const served = routerOperations();
    expect(served, 'routes found on the router').to.have.length(12);
    expect(documentOperations().sort()).to.deep.equal(served.sort());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as Record<string, unknown>);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations().map(([, operation]) => operation.operationId);
    expect(ids).to.have.length(12);
    expect(new Set(ids).size).to.equal(12);
  });

  it('takes component schemas from schemas.ts, not a copy', () => {
    expect(document.components.schemas.CreateSessionBody).to.deep.equal(JSON.parse(JSON.stringify(CreateSessionBody)));
  });

  it('has a list query parameter for every ListSessionsQuery property', () => {
    const names = document.paths['/api/v1/agent-sessions'].get.parameters?.map((p) => p.name);
    expect(names).to.have.members(['db_connection_id', 'status', 'limit', 'offset']);
  });

  it('documents If-Match and 412 on every conditional write and nowhere else', () => {
    const conditional = (operation: Operation) => operation.parameters?.some((p) => p.$ref === '#/components/parameters/IfMatch');
    const withIfMatch = operations()
      .filter(([, operation]) => conditional(operation))
      .map(([name]) => name);
    const with412 = operations()
      .filter(([, operation]) => operation.responses['412'])
      .map(([name]) => name);
    expect(with412.sort()).to.deep.equal(withIfMatch.sort());
    expect(withIfMatch.sort()).to.deep.equal(
      [
        'PATCH /api/v1/agent-sessions/{session_id}',
        'DELETE /api/v1/agent-sessions/{session_id}',
        'POST /api/v1/agent-sessions/{session_id}/pause',
        'POST /api/v1/agent-sessions/{session_id}/resume',
      ].sort(),
    );
    expect(document.components.parameters.IfMatch).to.include({ name: 'If-Match', in: 'header' });
  });

  it('documents every error response as problem JSON, with Allow on 405', () => {
    for (const [name, operation] of operations()) {
      for (const [status, response] of Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)) {
        expect(response.content?.['application/problem+json']?.schema, `${name} ${status}`).to.deep.equal({
          $ref: '#/components/schemas/Problem',
        });
      }
      expect(operation.responses['405'].headers, `${name} 405`).to.have.property('Allow');
      expect(operation.responses, name).to.include.keys('500', '503');
    }
  });

  it('mentions every problem type the server uses under its status', () => {
    const text = JSON.stringify(document.paths);
    for (const { type } of PROBLEM_TYPES) expect(text, type).to.include(type);
  });

  it('documents Location on 201 and ETag wherever the server sends one', () => {
    const created = document.paths['/api/v1/agent-sessions'].post.responses['201'];
    expect(created.headers).to.include.keys('Location', 'ETag');
    for (const [name, operation] of operations().filter(([, op]) => /^(get|update|pause|resume)AgentSession$/.test(op.operationId))) {
      expect(operation.responses['200'].headers, name).to.have.property('ETag');
    }
  });

  it('is built once', () => {
    expect(buildOpenApiDocument()).to.equal(buildOpenApiDocument());
    expect(Object.isFrozen(buildOpenApiDocument())).to.equal(true);
  });
});

describe('GET /openapi.json and /docs', () => {
  let server: TestServer;

  afterEach(async () => {
    await server.running.close();
  });

  it('serves the document as JSON', async () => {
    server = await startTestServer();
    const response = await server.request('GET', '/openapi.json');
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(await response.json()).to.deep.equal(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('serves an HTML page whose scripts and styles are served too, with their content types', async () => {
    server = await startTestServer();
    const page = await server.request('GET', '/docs');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets, 'assets referenced by /docs').to.have.length.greaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'no CDN').to.match(/^\/docs\//);
      const response = await server.request('GET', asset);
      expect(response.status, asset).to.equal(200);
      const expectedType = asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/;
      expect(response.headers.get('content-type'), asset).to.match(expectedType);
      expect((await response.text()).length, asset).to.be.greaterThan(0);
    }
  });

  it('points the page at /openapi.json', async () => {
    server = await startTestServer();
    const initializer = await (await server.request('GET', '/docs/initializer.js')).text();
    expect(initializer).to.include('"/openapi.json"');
  });

  it('answers 404 for both when docs is false', async () => {
    server = await startTestServer({ docs: false });
    for (const path of ['/openapi.json', '/docs', '/docs/swagger-ui-bundle.js']) {
      const response = await server.request('GET', path);
      expect(response.status, path).to.equal(404);
      expect(response.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
    }
  });
});
