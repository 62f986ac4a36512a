// Writes the fake providers' replies with the fault applied: JSON, SSE with drip or cut, status errors, truncation.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from './faults';
import type { Reply, SseEvent } from './server';

/** Where a reply goes and what happens to it: the exchange, the fault planned for it, extra headers, the abort. */
export interface Delivery {
  req: IncomingMessage;
  res: ServerResponse;
  fault: Fault | undefined;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Called once a delta has been handed to the socket (its index in the answer): a benchmark's clock. */
  onDeltaSent?: (index: number) => void;
}

/** Writes a route's reply, JSON or SSE, with the delivery's fault applied. */
export function sendReply(reply: Reply, delivery: Delivery): Promise<void> {
  return reply.kind === 'json' ? sendJsonReply(reply, delivery) : sendSseReply(reply, delivery);
}

async function sendJsonReply(
  reply: Extract<Reply, { kind: 'json' }>,
  { req, res, fault, headers, signal }: Delivery,
): Promise<void> {
  // A non-streamed answer has no chunks to cut, so a cut stream looks like a dropped connection.
  if (fault?.kind === 'stream-cut') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'slow-drip')
    await sleep(fault.delayMs * (reply.deltaCount ?? 1), undefined, { signal });
  const body =
    fault?.kind === 'short-list'
      ? shortened(reply.body, fault.drop)
      : fault?.kind === 'no-usage'
        ? withoutUsage(reply.body)
        : reply.body;
  const text = JSON.stringify(body);
  if (fault?.kind === 'malformed-json') return sendRaw(res, 200, truncate(text), headers);
  sendRaw(res, reply.status ?? 200, text, headers);
}

async function sendSseReply(
  routed: Extract<Reply, { kind: 'sse' }>,
  { req, res, fault, headers, signal, onDeltaSent }: Delivery,
): Promise<void> {
  const reply = fault?.kind === 'no-usage' ? streamWithoutUsage(routed) : routed;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  // Headers go out at once so the SDK's create() resolves and the client sees chunks one by one.
  res.flushHeaders();
  for (const event of reply.head) await write(res, formatSse(event));
  if (fault?.kind === 'malformed-json') {
    const victim = reply.deltas[0] ?? reply.tail[0] ?? { data: '{}' };
    await write(res, formatSse({ ...victim, data: truncate(victim.data) }));
    res.end();
    return;
  }
  const cutAfter =
    fault?.kind === 'stream-cut' || fault?.kind === 'stream-hold' ? fault.afterChunks : undefined;
  const dripMs = fault?.kind === 'slow-drip' ? fault.delayMs : 0;
  for (const [index, event] of reply.deltas.entries()) {
    if (cutAfter !== undefined && index >= cutAfter) break;
    if (dripMs > 0) await sleep(dripMs, undefined, { signal });
    await write(res, formatSse(event));
    onDeltaSent?.(index);
  }
  if (fault?.kind === 'stream-hold') {
    // Held open with nothing more to say until the client aborts or the server closes.
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  if (cutAfter !== undefined) {
    // The written deltas are flushed (write awaited its callback), so the client gets them, then loses the socket.
    req.socket.destroy();
    return;
  }
  for (const event of reply.tail) await write(res, formatSse(event));
  res.end();
}

export function sendStatusFault(
  res: ServerResponse,
  fault: Extract<Fault, { kind: 'status' }>,
  defaultBody: unknown,
  headers: Record<string, string>,
): void {
  const extra: Record<string, string> = { ...headers };
  if (fault.retryAfterSeconds !== undefined) extra['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
  const body = fault.body === undefined ? defaultBody : fault.body;
  sendRaw(res, fault.status, typeof body === 'string' ? body : JSON.stringify(body), extra);
}

export function statusMessage(status: number): string {
  return `Injected fault: ${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

function sendRaw(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(chunk, () => resolve());
  });
}

function formatSse(event: SseEvent): string {
  return `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.data}\n\n`;
}

/** A list envelope (`{ data: [...] }`) without its last `drop` items; any other body unchanged. */
function shortened(body: unknown, drop: number): unknown {
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data))
    return body;
  return { ...body, data: body.data.slice(0, Math.max(0, body.data.length - drop)) };
}

/** A JSON object reply without its top-level `usage`, as a server that reports none sends it. */
function withoutUsage(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('usage' in body)) return body;
  const { usage: _usage, ...rest } = body;
  return rest;
}

/**
 * An OpenAI stream as a server that ignores stream_options.include_usage sends it: no usage chunk (the one with
 * empty `choices` that carries the totals), and no `usage` field on the others. Other events stay as they are.
 */
function streamWithoutUsage(reply: Extract<Reply, { kind: 'sse' }>): Extract<Reply, { kind: 'sse' }> {
  const strip = (events: SseEvent[]): SseEvent[] =>
    events.flatMap((event) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return [event];
      }
      if (typeof parsed !== 'object' || parsed === null || !('usage' in parsed)) return [event];
      if ('choices' in parsed && Array.isArray(parsed.choices) && parsed.choices.length === 0) return [];
      return [{ ...event, data: JSON.stringify(withoutUsage(parsed)) }];
    });
  return { kind: 'sse', head: strip(reply.head), deltas: strip(reply.deltas), tail: strip(reply.tail) };
}

/** Half the JSON: always unparseable, since a proper prefix of a JSON object is never valid JSON. */
function truncate(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}
