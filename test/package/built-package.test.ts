import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { ensureBuilt } from '../helpers/build.js';

// Runs the built package the way users load it: by its name, through the exports map, from a
// fresh Node process in each module system.
function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

const SCRIPT = `
  const manager = lib.createAgentSessionManager();
  const created = await manager.create({ dbConnectionId: 'db1', title: 'from the package' });
  const fetched = await manager.get(created.id);
  const { createServer } = server;
  console.log(JSON.stringify({ fetched, hasServer: typeof createServer, error: new lib.SessionNotFoundError('x').code }));
`;

describe('the built package', function () {
  this.timeout(120_000);
  before(ensureBuilt);

  for (const [system, args] of [
    ['ESM', ['--input-type=module', '-e', `import * as lib from 'agent-sessions'; import * as server from 'agent-sessions/server'; ${SCRIPT}`]],
    ['CJS', ['-e', `const lib = require('agent-sessions'); const server = require('agent-sessions/server'); (async () => { ${SCRIPT} })()`]],
  ] as const) {
    it(`creates and gets a session when loaded as ${system}`, () => {
      const result = run([...args]) as { fetched: Record<string, unknown>; hasServer: string; error: string };
      expect(result.fetched).to.include({ dbConnectionId: 'db1', title: 'from the package', status: 'active', version: 1 });
      expect(result.hasServer).to.equal('function');
      expect(result.error).to.equal('session_not_found');
    });
  }

  for (const entry of ['agent-sessions', 'agent-sessions/client']) {
    it(`does not load Koa when only ${entry} is imported`, () => {
      const loaded = run([
        '-e',
        `require('${entry}'); console.log(JSON.stringify(Object.keys(require.cache).filter((p) => /node_modules[\\\\/](koa|@koa|ioredis|ajv)[\\\\/]|dist[\\\\/]server/.test(p))))`,
      ]);
      expect(loaded).to.deep.equal([]);
    });
  }

  // The client talks to a real server started from the built package, as a user would; the
  // docs asset proves each build finds swagger-ui-dist in node_modules, the console asset that
  // each finds the console files shipped in dist/console.
  const CLIENT_SCRIPT = `
    const running = await server.startServer({ manager: lib.createAgentSessionManager(), port: 0 });
    try {
      const api = new client.AgentSessionClient({ baseUrl: running.url });
      const events = await api.events({ dbConnectionId: 'db1' });
      const { session_id } = await api.create({ db_connection_id: 'db1' });
      const { session } = await api.get(session_id);
      let event;
      for await (event of events) break;
      const missing = await api.get('sess_missing').catch((error) => error);
      const asset = await fetch(running.url + '/docs/swagger-ui-bundle.js');
      const docsAsset = (await asset.text()).includes('SwaggerUIBundle') ? asset.status : 'not Swagger UI';
      const notFound = missing instanceof client.SessionNotFoundApiError;
      const script = await fetch(running.url + '/console/console.js');
      const consoleAsset = (await script.text()).includes('EventSource') ? script.status : 'not the console';
      console.log(JSON.stringify({ status: session.status, event: event.type, notFound, docsAsset, consoleAsset }));
    } finally {
      await running.close();
    }
  `;
  for (const [system, args] of [
    [
      'ESM',
      [
        '--input-type=module',
        '-e',
        `import * as lib from 'agent-sessions'; import * as server from 'agent-sessions/server'; import * as client from 'agent-sessions/client'; ${CLIENT_SCRIPT}`,
      ],
    ],
    [
      'CJS',
      [
        '-e',
        `const lib = require('agent-sessions'); const server = require('agent-sessions/server'); const client = require('agent-sessions/client'); (async () => { ${CLIENT_SCRIPT} })()`,
      ],
    ],
  ] as const) {
    it(`calls a running server through agent-sessions/client loaded as ${system}`, () => {
      expect(run([...args])).to.deep.equal({ status: 'active', event: 'created', notFound: true, docsAsset: 200, consoleAsset: 200 });
    });
  }
});
