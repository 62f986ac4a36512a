// An HTTP proxy in front of a fake provider, for faults the provider itself does not script: a request it holds
// unanswered (a provider that never answers for one text), or a reply it rewrites (a vector no store can keep).
// Everything else passes through as sent, so the SDK meets the provider's real wire format.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy was sent: the path and query, and the raw body. */
export interface ProxiedRequest {
  url: string;
  body: Buffer;
}

export interface ProxyFaults {
  /** True leaves the request unanswered: the client gives up (its timeout) and closes the connection. */
  hold?: (request: ProxiedRequest) => boolean;
  /** The reply's text to send instead of the provider's, which answered `reply` with `status`. */
  rewrite?: (request: ProxiedRequest, status: number, reply: string) => string;
}

export interface ForwardingProxy {
  /** The proxy's base URL, with the provider's `/v1`. */
  baseURL: string;
  close(): Promise<void>;
}

/** Headers the proxy sets itself (or Node's fetch does), never copied from the client's request. */
const OWN_HEADERS = new Set(['host', 'connection', 'content-length']);

/** Starts a proxy to `origin` (the fake provider's `http://host:port`) with `faults`. */
export async function startForwardingProxy(origin: string, faults: ProxyFaults): Promise<ForwardingProxy> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const parts: Buffer[] = [];
      for await (const part of req) parts.push(part as Buffer);
      const request = { url: req.url ?? '/', body: Buffer.concat(parts) };
      if (faults.hold?.(request)) return;
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && !OWN_HEADERS.has(entry[0]),
        ),
      );
      const upstream = await fetch(`${origin}${request.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(request.body.length > 0 ? { body: request.body } : {}),
      });
      const reply = await upstream.text();
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(faults.rewrite ? faults.rewrite(request, upstream.status, reply) : reply);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        // Held requests keep their connections open: closed here, or close() would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
