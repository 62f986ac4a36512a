// providerFetch, the fetch the provider SDKs are given (undici's request() under a standard Response): what
// the SDKs and the gateway's error translation rely on from fetch, against real loopback servers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFetch } from '../../subgraph/gateway/providers/provider-fetch';

let server: http.Server;
let base: string;
/** What the server saw of the last request. */
let seen: { method?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen = { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      switch (req.url) {
        case '/json':
          res.writeHead(201, [
            ['content-type', 'application/json'],
            ['x-request-id', 'req_42'],
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ]);
          return res.end(JSON.stringify({ echoed: seen.body }));
        case '/empty':
          res.writeHead(204);
          return res.end();
        case '/slow-head':
          return setTimeout(() => res.end('late'), 5_000).unref();
        case '/slow-body':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n');
          return setTimeout(() => res.end('data: late\n\n'), 5_000).unref();
        case '/cut':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
          res.write('only part of it');
          return setTimeout(() => res.socket?.destroy(), 20);
        default:
          res.writeHead(404);
          return res.end('no such path');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('sends the method, headers and body, and answers with the status, headers and body as a Response', async () => {
  const response = await providerFetch(`${base}/json`, {
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer sk-test-fetch' }),
    body: '{"model":"m"}',
  });
  expect(seen).toMatchObject({
    method: 'POST',
    body: '{"model":"m"}',
    headers: expect.objectContaining({ authorization: 'Bearer sk-test-fetch' }) as unknown,
  });
  expect(response).toBeInstanceOf(Response);
  expect(response.status).toBe(201);
  expect(response.ok).toBe(true);
  expect(response.headers.get('x-request-id')).toBe('req_42');
  expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  expect(await response.json()).toEqual({ echoed: '{"model":"m"}' });
});

it('takes headers as a plain object too, and answers an error status with its body', async () => {
  const response = await providerFetch(`${base}/missing`, { headers: { accept: 'text/plain' } });
  expect(seen.headers?.accept).toBe('text/plain');
  expect(response.status).toBe(404);
  expect(await response.text()).toBe('no such path');
});

it('answers a 204 with a null body', async () => {
  const response = await providerFetch(`${base}/empty`, { method: 'DELETE' });
  expect(response.status).toBe(204);
  expect(response.body).toBeNull();
});

it('rejects with an AbortError, carrying the reason, when the signal fires before the response', async () => {
  const controller = new AbortController();
  const pending = providerFetch(`${base}/slow-head`, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('attempt timeout')), 30);
  const error = (await pending.catch((caught: unknown) => caught)) as DOMException;
  expect(error.name).toBe('AbortError');
  expect((error.cause as Error).message).toBe('attempt timeout');
});

it('rejects at once for a signal already aborted, sending nothing', async () => {
  seen = {};
  const error = (await providerFetch(`${base}/json`, { signal: AbortSignal.abort() }).catch(
    (caught: unknown) => caught,
  )) as Error;
  expect(error.name).toBe('AbortError');
  expect(seen).toEqual({});
});

it('errors the body stream when the signal fires while the body streams', async () => {
  const controller = new AbortController();
  const response = await providerFetch(`${base}/slow-body`, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
  controller.abort();
  await expect(reader.read()).rejects.toThrow();
});

it('errors the body stream when the connection is cut mid-body', async () => {
  const response = await providerFetch(`${base}/cut`);
  await expect(response.text()).rejects.toThrow();
});

it('rejects a connection refused as fetch does: TypeError "fetch failed" with the cause', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const error = (await providerFetch(`http://127.0.0.1:${port}/`).catch(
    (caught: unknown) => caught,
  )) as TypeError;
  expect(error).toBeInstanceOf(TypeError);
  expect(error.message).toBe('fetch failed');
  expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
});
