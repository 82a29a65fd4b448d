import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from '../helpers/build.js';

// What users get from the registry: `npm pack`, installed into a throwaway project, each
// subpath imported from ESM and required from CJS.
const SUBPATHS: Record<string, string> = {
  'agent-sessions': 'createAgentSessionManager',
  'agent-sessions/server': 'createServer',
  'agent-sessions/inversify': 'agentSessionsModule',
  'agent-sessions/testing': 'describeSessionStoreContract',
  'agent-sessions/redis': 'RedisSessionStore',
  'agent-sessions/client': 'AgentSessionClient',
};

describe('the packed tarball', function () {
  this.timeout(180_000);
  let project: string;
  let packed: string[];

  before(() => {
    ensureBuilt();
    project = mkdtempSync(join(tmpdir(), 'agent-sessions-pack-'));
    const [info] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', project], { encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packed = info.files.map((f) => f.path);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', resolve(project, info.filename)], {
      cwd: project,
      stdio: 'pipe',
    });
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  it('ships only dist, the README, the licence and package.json', () => {
    for (const path of packed) expect(path, path).to.match(/^(dist\/|README\.md$|LICENSE$|package\.json$)/);
    expect(packed).to.include('dist/index.d.ts').and.include('dist/index.cjs');
  });

  for (const [specifier, exported] of Object.entries(SUBPATHS)) {
    it(`${specifier} loads from ESM and CJS`, () => {
      const esm = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `import * as m from '${specifier}'; console.log(typeof m.${exported})`],
        { cwd: project, encoding: 'utf8' },
      );
      const cjs = execFileSync(process.execPath, ['-e', `console.log(typeof require('${specifier}').${exported})`], {
        cwd: project,
        encoding: 'utf8',
      });
      expect([esm.trim(), cjs.trim()]).to.deep.equal(['function', 'function']);
    });
  }

  it('does not install pg, an optional peer dependency only the PostgreSQL store needs', () => {
    expect(existsSync(join(project, 'node_modules/pg')), 'node_modules/pg').to.equal(false);
  });

  it('runs the CLI from the installed bin', () => {
    const help = execFileSync(join(project, 'node_modules/.bin/agent-sessions'), ['--help'], { encoding: 'utf8' });
    expect(help).to.contain('API_KEYS');
  });
});
