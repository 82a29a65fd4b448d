import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    server: 'src/server/index.ts',
    inversify: 'src/inversify.ts',
    testing: 'src/testing.ts',
    redis: 'src/redis.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: { index: 'src/index.ts', server: 'src/server/index.ts', inversify: 'src/inversify.ts', testing: 'src/testing.ts', redis: 'src/redis.ts' },
  },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
});
