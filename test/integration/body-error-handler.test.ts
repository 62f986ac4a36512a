// The body error handler on a tiny real express app, behind the same JSON parser the subgraph mounts: a body
// over the limit is a 413 and one that is not JSON a 400, both in GraphQL's error shape; any other failure is a
// 500 that names nothing internal and is logged for operators.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { bodyErrorHandler } from '../../subgraph/http/body-error-handler';
import { createLogger } from '../../subgraph/observability/logger';

const LIMIT = 1_000;

describe('bodyErrorHandler', () => {
  let server: Server;
  let url: string;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logger = createLogger('error', { write: (line: string) => logged.push(JSON.parse(line)) });
    const app = express();
    app.post('/graphql', express.json({ limit: LIMIT }), (req, res) => {
      res.json({ echoed: req.body as unknown });
    });
    app.post('/broken', () => {
      throw new Error('connection string postgres://admin:hunter2@db leaked');
    });
    app.use(bodyErrorHandler({ maxRequestBytes: LIMIT, logger }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    logged.length = 0;
  });

  const post = async (path: string, body: string) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.json(),
    };
  };

  it('answers a body over the limit with 413 and BAD_REQUEST naming the limit', async () => {
    const response = await post('/graphql', JSON.stringify({ query: 'x'.repeat(LIMIT * 2) }));
    expect(response.status).toBe(413);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      errors: [{ message: `Request body exceeds ${LIMIT} bytes`, extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(logged).toEqual([]);
  });

  it('answers a body that is not JSON with 400 and BAD_REQUEST', async () => {
    const response = await post('/graphql', '{"query": ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(logged).toEqual([]);
  });

  it.each([
    [
      'content-type',
      'application/json; charset=latin1',
      'Request body charset "latin1" is not supported: send UTF-8',
    ],
    [
      'content-encoding',
      'compress',
      'Content-Encoding "compress" is not supported: send gzip, deflate or none',
    ],
  ])(
    'answers an unsupported %s (%s) with 415 saying so, not as an internal error',
    async (header, value, message) => {
      // Found by a review: a 415 was answered "Internal server error", with code BAD_REQUEST.
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [header]: value },
        body: '{}',
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      expect(logged).toEqual([]);
    },
  );

  it('leaves a valid body under the limit to the route', async () => {
    const response = await post('/graphql', JSON.stringify({ query: '{ __typename }' }));
    expect(response).toMatchObject({ status: 200, body: { echoed: { query: '{ __typename }' } } });
  });

  it('masks any other failure as a 500 INTERNAL_SERVER_ERROR and logs it in full', async () => {
    const response = await post('/broken', '{}');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      msg: 'http request failed',
      err: { message: expect.stringContaining('hunter2') },
    });
  });
});
