import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const FIXTURE = fileURLToPath(new URL('./fixtures/start-and-query.ts', import.meta.url));

// The helper as root drops to `nobody` (every other PostgreSQL test covers that here, where CI
// runs as root); this runs it as an ordinary user, as a developer's machine would.
describe('the private PostgreSQL test helper', function () {
  this.timeout(120_000);

  it('starts, serves and removes a server when run by an unprivileged user', function () {
    if (process.getuid?.() !== 0) this.skip(); // already unprivileged: every other test covers it
    const nobody = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
    const nogroup = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
    let output: string;
    try {
      output = execFileSync(process.execPath, ['--import', 'tsx', FIXTURE], {
        uid: nobody,
        gid: nogroup,
        env: { ...process.env, HOME: '/tmp' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const { status, signal, stdout, stderr } = error as { status?: number; signal?: string; stdout?: string; stderr?: string };
      throw new Error(`the helper run as nobody failed (exit ${status}, signal ${signal}):\n${stdout}\n${stderr}`, { cause: error });
    }
    expect(JSON.parse(output.trim().split('\n').pop() as string)).to.deep.equal({ uid: nobody, owner: 'postgres' });
  });
});
