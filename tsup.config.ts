import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    server: 'src/server/index.ts',
    inversify: 'src/inversify.ts',
    testing: 'src/testing.ts',
    cli: 'src/cli.ts',
    client: 'src/client/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      server: 'src/server/index.ts',
      inversify: 'src/inversify.ts',
      testing: 'src/testing.ts',
      client: 'src/client/index.ts',
    },
  },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CJS build (docs-routes.ts finds swagger-ui-dist with it).
  shims: true,
});
