import { cp } from 'node:fs/promises';
import { defineConfig } from 'tsup';

// Entry points users import, each with type declarations; the CLI needs none.
const LIBRARY_ENTRIES = {
  index: 'src/index.ts',
  server: 'src/server/index.ts',
  inversify: 'src/inversify.ts',
  testing: 'src/testing.ts',
  client: 'src/client/index.ts',
  redis: 'src/redis.ts',
  postgres: 'src/postgres.ts',
};

export default defineConfig({
  entry: { ...LIBRARY_ENTRIES, cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: LIBRARY_ENTRIES },
  target: 'node20',
  platform: 'node',
  splitting: true,
  // No source maps in the package: they were over half of `dist`, and the bundles are not minified,
  // so stack traces already point at readable code.
  sourcemap: false,
  clean: true,
  // import.meta.url in the CJS build (docs-routes.ts finds swagger-ui-dist with it).
  shims: true,
  // The console's plain HTML/CSS/JS files ship as they are, next to the bundles that serve them.
  onSuccess: () => cp('src/server/console', 'dist/console', { recursive: true }),
});
