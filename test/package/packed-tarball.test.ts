import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBuilt } from '../helpers/build.js';

// What users get from the registry: `npm pack`, installed into a throwaway project. First as a
// plain `npm i agent-sessions` (optional peers absent), then with the optional peers added.
const SUBPATHS: Record<string, string> = {
  'agent-sessions': 'createAgentSessionManager',
  'agent-sessions/server': 'createServer',
  'agent-sessions/inversify': 'agentSessionsModule',
  'agent-sessions/testing': 'describeSessionStoreContract',
  'agent-sessions/redis': 'RedisSessionStore',
  'agent-sessions/postgres': 'PostgresSessionStore',
  'agent-sessions/client': 'AgentSessionClient',
};
const OPTIONAL_PEERS = ['ioredis', 'pg', 'inversify', 'reflect-metadata', 'swagger-ui-dist'];

// A plain install measured 87 packages and 25.5 MB of files before the optional peers (42 MiB on
// disk), 70 packages and 10.5 MB after; these bounds leave a little room for patch releases and
// catch a heavy new dependency.
const MAX_PACKAGES = 72;
const MAX_BYTES = 12_000_000;

/** Every installed package directory (`name` or `@scope/name`, nested ones too) and their bytes. */
function measure(nodeModules: string): { packages: string[]; bytes: number } {
  const packages: string[] = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) bytes += statSync(path).size;
    }
  };
  const collect = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) collect(path);
      else {
        packages.push(path.slice(nodeModules.length + 1));
        if (existsSync(join(path, 'node_modules'))) collect(join(path, 'node_modules'));
      }
    }
  };
  collect(nodeModules);
  walk(nodeModules);
  return { packages, bytes };
}

describe('the packed tarball', function () {
  this.timeout(240_000);
  let project: string;
  let packed: string[];
  const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, ...env } });
  /** The message of the error a script fails with (its stderr), or 'no error'. */
  const failureOf = (args: string[], env: NodeJS.ProcessEnv = {}): string => {
    try {
      node(args, env);
      return 'no error';
    } catch (error) {
      return String((error as { stderr?: string }).stderr);
    }
  };

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

  it('ships only dist (with the console files), the README, the licence and package.json', () => {
    for (const path of packed) expect(path, path).to.match(/^(dist\/|README\.md$|LICENSE$|package\.json$)/);
    expect(packed).to.include('dist/index.d.ts').and.include('dist/index.cjs');
    expect(packed).to.include.members(['dist/console/index.html', 'dist/console/console.js', 'dist/console/api.js', 'dist/console/console.css']);
  });

  describe('a plain install', () => {
    it(`stays small: at most ${MAX_PACKAGES} packages and ${MAX_BYTES / 1e6} MB`, () => {
      const { packages, bytes } = measure(join(project, 'node_modules'));
      console.log(`      plain install: ${packages.length} packages, ${(bytes / 1e6).toFixed(1)} MB`);
      expect(packages.length, packages.join(' ')).to.be.at.most(MAX_PACKAGES);
      expect(bytes).to.be.at.most(MAX_BYTES);
    });

    it('installs no optional peer and no install-time telemetry', () => {
      const { packages } = measure(join(project, 'node_modules'));
      const unwanted = packages.filter((name) => [...OPTIONAL_PEERS, '@scarf/scarf'].some((peer) => name === peer || name.endsWith(`/${peer}`)));
      expect(unwanted).to.deep.equal([]);
      expect(packages.filter((name) => name.includes('scarf'))).to.deep.equal([]);
    });

    it('loads the library without Koa, from ESM and CJS', () => {
      // With Koa moved away, any import of it from the root entry would throw.
      const away = join(project, 'koa-away');
      renameSync(join(project, 'node_modules/koa'), away);
      try {
        const esm = node(['--input-type=module', '-e', "import * as m from 'agent-sessions'; console.log(typeof m.createAgentSessionManager)"]);
        const cjs = node(['-e', "console.log(typeof require('agent-sessions').createAgentSessionManager)"]);
        expect([esm.trim(), cjs.trim()]).to.deep.equal(['function', 'function']);
      } finally {
        renameSync(away, join(project, 'node_modules/koa'));
      }
    });

    for (const specifier of ['agent-sessions/server', 'agent-sessions/client', 'agent-sessions/testing']) {
      it(`loads ${specifier} from ESM and CJS`, () => {
        const exported = SUBPATHS[specifier];
        const esm = node(['--input-type=module', '-e', `import * as m from '${specifier}'; console.log(typeof m.${exported})`]);
        const cjs = node(['-e', `console.log(typeof require('${specifier}').${exported})`]);
        expect([esm.trim(), cjs.trim()]).to.deep.equal(['function', 'function']);
      });
    }

    for (const [specifier, peer] of [
      ['agent-sessions/inversify', 'inversify'],
      ['agent-sessions/redis', 'ioredis'],
      ['agent-sessions/postgres', 'pg'],
    ]) {
      it(`fails to import ${specifier} with a message naming ${peer}`, () => {
        expect(failureOf(['--input-type=module', '-e', `import '${specifier}'`])).to.contain(`'${peer}'`);
        expect(failureOf(['-e', `require('${specifier}')`])).to.contain(`'${peer}'`);
      });
    }

    it('refuses STORE=redis at start with exit code 1 and a message naming ioredis', () => {
      const bin = join(project, 'node_modules/.bin/agent-sessions');
      let failure: { status?: number; stderr?: string } = {};
      try {
        execFileSync(bin, ['serve'], { cwd: project, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, STORE: 'redis', PORT: '0' } });
      } catch (error) {
        failure = error as typeof failure;
      }
      expect(failure.status).to.equal(1);
      expect(failure.stderr).to.contain('STORE=redis').and.contain('npm install ioredis');
    });

    it('serves the API, the console and a clear /docs problem with `agent-sessions serve` on the memory store', async () => {
      const bin = join(project, 'node_modules/.bin/agent-sessions');
      const child = spawn(bin, ['serve'], { cwd: project, env: { ...process.env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let url: string | undefined;
        for await (const line of createInterface({ input: child.stdout })) {
          url = (JSON.parse(line) as { url?: string }).url;
          if (url) break;
        }
        expect(url, 'the server logged its URL').to.be.a('string');
        const created = await fetch(`${url}/api/v1/agent-sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ db_connection_id: 'plain' }),
        });
        expect(created.status).to.equal(201);
        expect((await fetch(`${url}/console`)).status).to.equal(200);
        expect((await fetch(`${url}/console/console.js`)).status).to.equal(200);
        expect((await fetch(`${url}/openapi.json`)).status).to.equal(200);
        const docs = await fetch(`${url}/docs`);
        expect(docs.status).to.equal(501);
        expect(docs.headers.get('content-type')).to.match(/^application\/problem\+json/);
        const problem = (await docs.json()) as { type: string; detail: string };
        expect(problem.type).to.equal('urn:agent-sessions:problem:package-not-installed');
        expect(problem.detail).to.contain("'swagger-ui-dist'").and.contain('npm install swagger-ui-dist');
      } finally {
        child.kill('SIGTERM');
      }
    });

    it('runs the CLI from the installed bin', () => {
      const help = execFileSync(join(project, 'node_modules/.bin/agent-sessions'), ['--help'], { encoding: 'utf8' });
      expect(help).to.contain('API_KEYS');
    });
  });

  describe('with the optional peers installed', () => {
    before(() => {
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...OPTIONAL_PEERS], { cwd: project, stdio: 'pipe' });
    });

    for (const [specifier, exported] of Object.entries(SUBPATHS)) {
      it(`${specifier} loads from ESM and CJS`, () => {
        const esm = node(['--input-type=module', '-e', `import * as m from '${specifier}'; console.log(typeof m.${exported})`]);
        const cjs = node(['-e', `console.log(typeof require('${specifier}').${exported})`]);
        expect([esm.trim(), cjs.trim()]).to.deep.equal(['function', 'function']);
      });
    }
  });
});
