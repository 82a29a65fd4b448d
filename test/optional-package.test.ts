import { expect } from 'chai';
import { loadOptional, MissingPackageError } from '../src/server/optional-package.js';

describe('optional peer dependencies', () => {
  it('turns a missing package (ESM import) into an error naming it and the feature', async () => {
    const error = await loadOptional('not-installed-peer', 'The widget', () => import('not-installed-peer' as string)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MissingPackageError);
    expect((error as MissingPackageError).packageName).to.equal('not-installed-peer');
    expect((error as Error).message).to.equal(
      "The widget needs the optional package 'not-installed-peer', which is not installed: run npm install not-installed-peer.",
    );
  });

  it('lets other failures through unchanged, including another missing package', async () => {
    const boom = new Error('boom');
    expect(await loadOptional('ioredis', 'STORE=redis', () => Promise.reject(boom)).catch((e: unknown) => e)).to.equal(boom);
    const other = await loadOptional('ioredis', 'STORE=redis', () => import('some-other-missing-package' as string)).catch((e: unknown) => e);
    expect(other).not.to.be.instanceOf(MissingPackageError);
  });

  it('returns what the loader gives when the package is there', async () => {
    const { RedisSessionStore } = await loadOptional('ioredis', 'STORE=redis', () => import('../src/redis.js'));
    expect(RedisSessionStore).to.be.a('function');
  });
});
