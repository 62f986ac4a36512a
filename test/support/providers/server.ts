// Shared HTTP core of the fake model providers: routing, body parsing, request log, fault selection, lifecycle.
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultPlan } from './faults';
import type { Fault } from './faults';
import { sendJson, sendReply, sendStatusFault, statusMessage } from './replies';
import { defaultResponder, isRecord } from './text';

export interface ChatMessage {
  role: string;
  content: string;
}

/** What a responder sees: the conversation flattened to text, plus the raw body for anything else. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Anthropic: the top-level `system`; OpenAI: the system/developer messages joined. */
  system?: string;
  stream: boolean;
  body: Record<string, unknown>;
}

/** Produces the completion text; throwing makes the server answer 500 in the provider's error format. */
export type Responder = (request: ChatRequest) => string | Promise<string>;

export interface RecordedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it was not JSON, undefined when empty. */
  body: unknown;
  /** Date.now() when the body had been read. */
  at: number;
  /** The fault this request got, if any. */
  fault?: Fault;
  /** Date.now() when the response closed: sent in full, or the connection went away. */
  closedAt?: number;
  /** True when the connection closed before the response was sent in full (client abort, reset, close()). */
  aborted?: boolean;
}

export interface FakeProviderServer {
  /** Origin, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** What to give the provider's SDK: url + '/v1' for OpenAI, url for Anthropic. */
  readonly baseURL: string;
  readonly faults: FaultPlan;
  readonly requests: RecordedRequest[];
  requestCount(path?: string): number;
  respondWith(responder: Responder): void;
  /** Back to the start state: no faults, no recorded requests, the starting responder and latency. */
  reset(): void;
  /** Stops listening and destroys open sockets, hung requests included. */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Baseline latency for every request (see FaultPlan.setLatency); reset() restores it. */
  latencyMs?: number;
  responder?: Responder;
  /** When set, requests without this key get 401 in the provider's format. */
  apiKey?: string;
  /** Called as each streamed delta goes to the socket, with the request it answers (benchmarks time it). */
  onDeltaSent?: (request: RecordedRequest, index: number) => void;
}

export interface SseEvent {
  event?: string;
  data: string;
}

/** A route's answer; the core applies faults to it, so routes never deal with faults themselves. */
export type Reply =
  | { kind: 'json'; status?: number; body: unknown; deltaCount?: number }
  | { kind: 'sse'; head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] };

export interface RouteInput {
  body: Record<string, unknown>;
  responder: Responder;
  nextId: (prefix: string) => string;
}

export type Route = (input: RouteInput) => Reply | Promise<Reply>;

/** Thrown by a route to answer a client error (bad request) in the provider's format. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ProviderDefinition {
  /** Keyed by 'METHOD /path'. */
  routes: Record<string, Route>;
  baseURL(origin: string): string;
  errorBody(status: number, message: string): unknown;
  authorized(headers: IncomingHttpHeaders, apiKey: string): boolean;
  requestIdHeader: string;
}

export async function startFakeServer(
  provider: ProviderDefinition,
  options: FakeServerOptions = {},
): Promise<FakeProviderServer> {
  const startResponder = options.responder ?? defaultResponder;
  const startLatency = options.latencyMs ?? 0;
  const faults = new FaultPlan().setLatency(startLatency);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let responder: Responder = startResponder;
  let counter = 0;
  const nextId = (prefix: string): string => `${prefix}${(counter += 1).toString().padStart(6, '0')}`;

  const server = http.createServer((req, res) => {
    // A handler failure (client gone mid-body, write after abort) must never take the server down.
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, provider.errorBody(500, 'fake server failure'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const closed = new AbortController();
    // 'close' fires on finish and on client abort; either way pending sleeps must stop.
    res.on('close', () => closed.abort());
    res.on('error', () => undefined);
    const signal = closed.signal;
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const parsed = parseBody(raw);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parsed.value,
      at: Date.now(),
    };
    requests.push(record);
    res.on('close', () => {
      record.closedAt = Date.now();
      record.aborted = !res.writableFinished;
    });
    const headers = { [provider.requestIdHeader]: nextId('req_') };
    const fail = (status: number, message: string, extra: Record<string, string> = {}): void =>
      sendJson(res, status, provider.errorBody(status, message), { ...headers, ...extra });

    const route = provider.routes[`${record.method} ${path}`];
    if (!route) return fail(404, `Unknown route ${record.method} ${path}`);
    if (options.apiKey !== undefined && !provider.authorized(req.headers, options.apiKey)) {
      return fail(401, 'Invalid API key');
    }
    if (!parsed.ok) return fail(400, 'Request body is not valid JSON');

    const fault = faults.take(path);
    record.fault = fault;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal });
    switch (fault?.kind) {
      case 'latency':
        await sleep(fault.ms, undefined, { signal });
        break;
      case 'hang':
        // Nothing is written: the request stays open until the client aborts or close() destroys it.
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        return sendStatusFault(
          res,
          fault,
          provider.errorBody(fault.status, statusMessage(fault.status)),
          headers,
        );
      default:
        break;
    }

    let reply: Reply;
    try {
      reply = await route({ body: isRecord(parsed.value) ? parsed.value : {}, responder, nextId });
    } catch (error) {
      if (error instanceof ProviderHttpError) return fail(error.status, error.message);
      return fail(500, `Responder failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const onDeltaSent = options.onDeltaSent;
    return sendReply(reply, {
      req,
      res,
      fault,
      headers,
      signal,
      ...(onDeltaSent ? { onDeltaSent: (index: number) => onDeltaSent(record, index) } : {}),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseURL: provider.baseURL(url),
    faults,
    requests,
    requestCount: (path) =>
      path === undefined ? requests.length : requests.filter((r) => r.path === path).length,
    respondWith: (next) => {
      responder = next;
    },
    reset: () => {
      faults.clear().setLatency(startLatency);
      requests.length = 0;
      responder = startResponder;
    },
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client that gives up mid-body never sends 'end'; settling here lets the handler finish.
    req.on('close', () => reject(new Error('request closed before its body was read')));
  });
}

function parseBody(raw: string): { ok: boolean; value: unknown } {
  if (raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, value: raw };
  }
}
