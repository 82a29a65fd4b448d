import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
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
});
