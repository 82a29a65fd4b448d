import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { describeSessionStoreContract } from '../src/testing.js';
import { ensureBuilt } from './helpers/build.js';

// Each example runs as a user would run it, against the built package.
function runExample(file: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
}

describe('examples', function () {
  this.timeout(90_000);
  before(ensureBuilt);

  it('embedded-library.ts creates, runs, pauses and lists a session', () => {
    const output = runExample('examples/embedded-library.ts');
    expect(output).to.match(/created sess_\S+ active/);
    expect(output).to.contain('paused at version 3');
    expect(output).to.contain("second pause refused: Agent session");
    expect(output).to.contain('paused sessions for db123: 1');
  });

  it('koa-host-with-own-auth.ts serves the router behind the host auth, errors as problem JSON', () => {
    const output = runExample('examples/koa-host-with-own-auth.ts');
    expect(output).to.contain('without the host session: 401');
    expect(output).to.match(/create: 201 \/api\/v1\/agent-sessions\/sess_\S+/);
    expect(output).to.contain('invalid create: 400 application/problem+json');
  });

  it('inversify-custom-store.ts resolves the manager over the host store', () => {
    const output = runExample('examples/inversify-custom-store.ts');
    expect(output).to.contain('writes for warehouse: 3');
  });
});

// The custom store of example 4 is a store like any other: it must pass the contract.
describeSessionStoreContract('AuditedStore (examples/audited-store.ts)', {
  create: async () => new (await import('../examples/audited-store.js')).AuditedStore(),
});
