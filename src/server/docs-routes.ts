import Router from '@koa/router';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { allowOnly } from './allow-only.js';
import { buildOpenApiDocument } from './openapi.js';
import { isMissingPackage, MissingPackageError } from './optional-package.js';

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json';
/** Where the browsable API documentation is served. */
export const DOCS_PATH = '/docs';

// Swagger UI comes from node_modules, never a CDN, so the page works offline and behind
// firewalls. Only these files are served; the package holds many more (maps, other bundles).
const SWAGGER_UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

// swagger-ui-dist is an optional peer dependency (12 MB): found on first use, so a server
// without it still starts, serves /openapi.json, and answers /docs with a problem naming it.
let swaggerUiDirCache: string | undefined;
function swaggerUiDir(): string {
  try {
    swaggerUiDirCache ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    return swaggerUiDirCache;
  } catch (error) {
    if (isMissingPackage(error, 'swagger-ui-dist')) throw new MissingPackageError('swagger-ui-dist', 'The docs page');
    throw error;
  }
}

// The start-up script is a file of its own rather than inline, so a strict Content-Security-Policy
// on the host (script-src 'self') does not break the page.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: ${JSON.stringify(OPENAPI_PATH)}, dom_id: '#swagger-ui', deepLinking: true });
};
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Agent Session API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/initializer.js"></script>
  </body>
</html>
`;

// The API's own policy is default-src 'none'; the page needs its scripts, styles (Swagger UI sets
// inline style attributes), data: images and a fetch of the document, all from this origin.
const DOCS_PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** `GET /openapi.json` and a Swagger UI page at `GET /docs`, as a @koa/router router. */
export function createDocsRouter(): Router {
  const router = new Router();

  router.get(OPENAPI_PATH, (ctx) => {
    ctx.body = buildOpenApiDocument();
  });
  router.get(DOCS_PATH, (ctx) => {
    swaggerUiDir();
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', DOCS_PAGE_POLICY);
    ctx.body = PAGE;
  });
  router.get(`${DOCS_PATH}/initializer.js`, (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = INITIALIZER;
  });
  for (const [file, type] of Object.entries(SWAGGER_UI_ASSETS)) {
    router.get(`${DOCS_PATH}/${file}`, (ctx) => {
      ctx.type = type;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = createReadStream(join(swaggerUiDir(), file));
    });
  }
  // Known paths with another method: 405 with Allow, as on the API's own paths.
  const readOnly = allowOnly(['GET', 'HEAD', 'OPTIONS']);
  const paths = [OPENAPI_PATH, DOCS_PATH, `${DOCS_PATH}/initializer.js`, ...Object.keys(SWAGGER_UI_ASSETS).map((file) => `${DOCS_PATH}/${file}`)];
  for (const path of paths) router.all(path, readOnly);
  return router;
}
