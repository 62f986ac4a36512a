// The development page over HTTP (issue 8, finding: the page at /graphql was Apollo Sandbox from a CDN, with
// telemetry, blank offline). Outside production a browser's GET /graphql is the project's own page under a
// self-only Content-Security-Policy; every other client of /graphql is answered as before; production serves
// no page at all. The browser suite (test/browser/dev-page.test.ts) drives the page itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { gql } from '../support/subgraph';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

// What Chromium sends when it opens a URL.
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const browserGet = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: { accept: BROWSER_ACCEPT, ...headers } });

describe("the page at /graphql (issue 8: it was Apollo Sandbox from a CDN with telemetry; offline it showed 'cannot be loaded')", () => {
  describe('outside production', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await startHarness({ env: { NODE_ENV: 'development' } });
    });
    afterAll(() => harness?.stop());

    it("a browser's GET /graphql is the project's own page, loading only from this origin under a self-only CSP", async () => {
      const response = await browserGet(harness.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy.split('; ')).toEqual(
        expect.arrayContaining([
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "connect-src 'self'",
        ]),
      );
      const html = await response.text();
      expect(html).not.toMatch(/apollographql|sandbox/i);
      const loaded = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
      expect(loaded).toEqual(['/dev-page/page.css', '/dev-page/graphql-ws.js', '/dev-page/page.mjs']);
      expect(html).toContain('npm run -s token -- --tenant acme');
    });

    it("serves graphql-ws's browser build from the project's own node_modules, and the page's module", async () => {
      const packageDir = dirname(require.resolve('graphql-ws/package.json'));
      const client = await browserGet(new URL('/dev-page/graphql-ws.js', harness.url).href);
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await client.text()).toBe(readFileSync(join(packageDir, 'umd', 'graphql-ws.min.js'), 'utf8'));

      const page = await browserGet(new URL('/dev-page/page.mjs', harness.url).href);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('graphqlWs');
      const unknown = await browserGet(new URL('/dev-page/dev-page-routes.ts', harness.url).href);
      expect(unknown.status).toBe(404);
    });

    it('leaves /graphql to every other client: POST, a GET carrying ?query= (even from a browser) and graphql-ws', async () => {
      const posted = await gql(harness.url, '{ __typename }');
      expect(posted).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });

      const url = new URL(harness.url);
      url.searchParams.set('query', '{ __typename }');
      const fromBrowser = await browserGet(url.href, { 'apollo-require-preflight': 'true' });
      expect(fromBrowser.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await fromBrowser.json()).toEqual({ data: { __typename: 'Query' } });

      // A GET with no operation, from a client that is not a browser: Apollo's JSON answer, as before.
      const bare = await fetch(harness.url);
      expect(bare.status).toBe(400);
      expect(bare.headers.get('content-type')).toMatch(/^application\/json/);

      const events = await harness
        .as(`page-${randomBytes(4).toString('hex')}`)
        .askStream('Is the socket open?');
      expect(events.at(-1)?.__typename).toBe('AskCompleted');
    });
  });

  describe('in production', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await startHarness({ env: { NODE_ENV: 'production' } });
    });
    afterAll(() => harness?.stop());

    it("serves no page: a browser's GET /graphql gets Apollo's plain JSON answer and the page's files are not found", async () => {
      const response = await browserGet(harness.url);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.text()).not.toMatch(/<html|apollographql/i);

      for (const file of ['page.mjs', 'page.css', 'graphql-ws.js']) {
        const asset = await browserGet(new URL(`/dev-page/${file}`, harness.url).href);
        expect(asset.status).toBe(404);
      }
      // The API itself is untouched.
      expect(await gql(harness.url, '{ __typename }')).toEqual({
        status: 200,
        body: { data: { __typename: 'Query' } },
      });
    });
  });
});
