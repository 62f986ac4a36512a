// The fetch the provider SDKs call, over undici's request() instead of Node's WHATWG fetch. Node's fetch
// builds a Request, a Headers and web streams for the body both ways on every call, and that was nearly a
// third of the subgraph's CPU on a model call (a CPU profile, BENCHMARKS.md); request() hands back a Node stream,
// which becomes the body of a standard Response only for the SDK to read. Same wire, same keep-alive pool
// semantics, less work per call (BENCHMARKS.md, "The providers' fetch").
//
// What the SDKs rely on is kept: the abort signal ends the call with an AbortError whether it fires before the
// response or while its body streams; status, headers and body are a real Response's; a transport failure
// rejects like fetch's does, as a TypeError whose cause is undici's error. Unlike fetch it neither follows
// redirects (a provider's API answers its calls where they are sent) nor asks for compressed bodies.
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';

/** Idle sockets to a provider stay open this long for the next call (fetch's global agent keeps 4 s). */
const KEEP_ALIVE_MS = 10_000;

let agent: Agent | undefined;
const sharedAgent = (): Agent => (agent ??= new Agent({ keepAliveTimeout: KEEP_ALIVE_MS }));

/** A status that carries no body: a Response with one is refused. */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  // The SDKs pass a Headers already: read it as it is rather than copy it into another first.
  const source = init?.headers instanceof Headers ? init.headers : new Headers(init?.headers);
  source.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

function bodyOf(init: RequestInit | undefined): string | Uint8Array | null {
  const body = init?.body;
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  // The SDKs send JSON as a string; anything else (a form, a stream: uploads) is not a call the gateway makes.
  throw new TypeError('provider fetch sends string or byte bodies only');
}

/** An abort, as fetch reports one: a DOMException named AbortError carrying the signal's reason. */
const abortError = (signal: AbortSignal): DOMException =>
  Object.assign(new DOMException('This operation was aborted', 'AbortError'), {
    cause: signal.reason as unknown,
  });

/** The body as the web stream a Response takes, read from undici's stream a chunk at a time as it is asked for. */
function webBody(body: Readable): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel(reason) {
        body.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** fetch's signature, for the SDKs' `fetch` option. */
export async function providerFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  if (input instanceof Request) throw new TypeError('provider fetch takes a URL and options, not a Request');
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  let reply: Dispatcher.ResponseData;
  try {
    reply = await request(input, {
      method: init?.method ?? 'GET',
      headers: headersOf(init),
      body: bodyOf(init),
      signal,
      dispatcher: sharedAgent(),
    });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw new TypeError('fetch failed', { cause: error });
  }
  const { statusCode, headers, body } = reply;
  if (NULL_BODY_STATUS.has(statusCode)) {
    body.resume();
    return new Response(null, { status: statusCode, headers: responseHeaders(headers) });
  }
  // undici destroys the body stream with its own abort error when the signal fires mid-body; the SDK reads
  // the web stream, which errors with it. A chunk is read from undici's stream only when the SDK asks for one.
  return new Response(webBody(body), {
    status: statusCode,
    headers: responseHeaders(headers),
  });
}
