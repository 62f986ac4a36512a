// The development page: GET /graphql from a browser (Accept preferring text/html, no `query` parameter) gets a
// small page for the worked example and askStream, instead of Apollo's landing page, which loads Apollo
// Sandbox from a CDN (with telemetry) and is blank offline. Everything the page loads is served here from the
// project's own files and its own node_modules (graphql-ws's browser build), under a Content-Security-Policy
// that allows this origin only. It hands out no token: a token endpoint would let anyone who reaches the port
// forge access; the page asks for one minted with `npm run token`. server.ts mounts it outside production only.
import { dirname, join } from 'node:path';
import { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';

const PAGE_DIR = join(__dirname, 'dev-page');
// The UMD build is one file with no imports (the ESM build imports a chunk whose name carries a hash); loaded
// as a classic script it defines `globalThis.graphqlWs`.
const GRAPHQL_WS_BROWSER_BUILD = join(
  dirname(require.resolve('graphql-ws/package.json')),
  'umd',
  'graphql-ws.min.js',
);

/** Where the page's own files are served. */
export const DEV_PAGE_ASSETS = '/dev-page';

// 'self' covers ws:// to the same host and port (CSP Level 3), which graphql-ws needs.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS: Record<string, { file: string; type: string }> = {
  'page.mjs': { file: join(PAGE_DIR, 'page.mjs'), type: 'text/javascript; charset=utf-8' },
  'page.css': { file: join(PAGE_DIR, 'page.css'), type: 'text/css; charset=utf-8' },
  'graphql-ws.js': { file: GRAPHQL_WS_BROWSER_BUILD, type: 'text/javascript; charset=utf-8' },
};

/** The page on GET `graphqlPath` when a browser asks for HTML, and its files under DEV_PAGE_ASSETS. */
export function devPageRoutes(graphqlPath: string): Router {
  const router = Router();
  router.get(graphqlPath, (req, res, next) => {
    if (!wantsPage(req)) {
      next();
      return;
    }
    send(res, join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8');
  });
  router.get(`${DEV_PAGE_ASSETS}/:name`, asset());
  return router;
}

/**
 * A browser opening the URL, as Apollo decides it (GET, Accept preferring text/html over JSON); a GET carrying
 * an operation in `?query=` is Apollo's to run (or to refuse by its CSRF rule), whatever it accepts.
 */
function wantsPage(req: Request): boolean {
  if (req.query.query !== undefined) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

function asset(): RequestHandler {
  return (req, res, next) => {
    const name = req.params.name;
    const found = typeof name === 'string' && Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!found) {
      next();
      return;
    }
    send(res, found.file, found.type);
  };
}

function send(res: Response, file: string, type: string): void {
  res.set({
    'content-type': type,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // The page changes with the code; a stale cached copy would talk to a schema it was not written for.
    'cache-control': 'no-store',
  });
  res.sendFile(file);
}
