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

  it('does not load Koa when only the library root is imported', () => {
    const loaded = run([
      '-e',
      `require('agent-sessions'); console.log(JSON.stringify(Object.keys(require.cache).filter((p) => /node_modules[\\\\/](koa|@koa|ioredis)[\\\\/]/.test(p))))`,
    ]);
    expect(loaded).to.deep.equal([]);
  });
});
