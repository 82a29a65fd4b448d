import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

const CLI_PATH = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

const WITHOUT_PG = fileURLToPath(new URL('./fixtures/without-pg.mjs', import.meta.url));

async function runCli(args: string[], env: Record<string, string>, imports: string[] = []): Promise<{ code: number; output: string }> {
  const loaders = ['tsx', ...imports].flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...loaders, CLI_PATH, ...args], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}

describe('agent-sessions migrate', function () {
  this.timeout(60_000);
  const postgres = usePrivatePostgres();

  it('applies the migrations to DATABASE_SCHEMA once, then finds nothing to do', async () => {
    const env = { DATABASE_URL: postgres.server().url, DATABASE_SCHEMA: 'cli_migrate' };
    const first = await runCli(['migrate'], env);
    expect(first, first.output).to.deep.include({ code: 0 });
    expect(first.output).to.include('Schema cli_migrate: applied migration 1, 2, 3, 4.');
    const second = await runCli(['migrate'], env);
    expect(second.output).to.include('Schema cli_migrate: already up to date.');
    const { rows } = await postgres.admin().query('SELECT version FROM cli_migrate.schema_migrations ORDER BY version');
    expect(rows).to.deep.equal([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
  });

  it('applies them exactly once when four processes migrate at the same time', async () => {
    const env = { DATABASE_URL: postgres.server().url, DATABASE_SCHEMA: 'cli_together' };
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['migrate'], env)));
    for (const result of results) expect(result.code, result.output).to.equal(0);
    expect(results.filter((r) => r.output.includes('applied migration 1, 2, 3, 4.'))).to.have.length(1);
  });

  it('exits 1 naming DATABASE_URL when it is missing', async () => {
    const migrate = await runCli(['migrate'], { DATABASE_URL: '' });
    expect(migrate.code).to.equal(1);
    expect(migrate.output).to.include('DATABASE_URL');
    const serve = await runCli([], { STORE: 'postgres', DATABASE_URL: '' });
    expect(serve.code).to.equal(1);
    expect(serve.output).to.include('DATABASE_URL');
  });

  it('fails at start naming the package to install when pg is missing', async () => {
    const { code, output } = await runCli([], { STORE: 'postgres', DATABASE_URL: postgres.server().url }, [WITHOUT_PG]);
    expect(code, output).to.not.equal(0);
    expect(output).to.include("needs the optional package 'pg'").and.include('npm install pg');
  });
});
