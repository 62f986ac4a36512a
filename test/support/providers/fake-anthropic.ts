// A loopback server speaking the Anthropic Messages wire format (JSON and SSE) for tests and benchmarks.
import { ProviderHttpError, startFakeServer } from './server';
import type { FakeProviderServer, FakeServerOptions, Reply, RouteInput, SseEvent } from './server';
import { requireMessages, requireModel, servedModel, wholeReply } from './requests';
import { contentToText, estimateTokens, limitToTokens, optionalInteger, splitIntoDeltas } from './text';

export type FakeAnthropicOptions = FakeServerOptions;

/** Starts the fake; give the Anthropic SDK `baseURL: server.baseURL` (that is, the origin itself). */
export function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeProviderServer> {
  return startFakeServer(
    {
      routes: { 'POST /v1/messages': messages },
      baseURL: (origin) => origin,
      errorBody: anthropicError,
      authorized: (headers, apiKey) => headers['x-api-key'] === apiKey,
      requestIdHeader: 'request-id',
    },
    options,
  );
}

/** Anthropic's error envelope, with the error type the real API uses for each status. */
export function anthropicError(status: number, message: string): unknown {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  };
  const type = types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message }, request_id: null };
}

async function messages({ body, responder, nextId }: RouteInput): Promise<Reply> {
  const model = requireModel(body, 'model: Field required');
  const maxTokens = optionalInteger(body.max_tokens);
  if (maxTokens === undefined || maxTokens < 1)
    throw new ProviderHttpError(400, 'max_tokens: Field required');
  const conversation = requireMessages(body, 'messages: at least one message is required');
  // The system prompt is a top-level field here (string or text blocks), never a message.
  const system = body.system === undefined ? undefined : contentToText(body.system);
  const stream = body.stream === true;
  const answer = await responder({ model, messages: conversation, system, stream, body });
  const { text, truncated } = limitToTokens(answer, maxTokens);
  const stopReason = truncated ? 'max_tokens' : 'end_turn';
  const inputTokens = Math.max(
    1,
    estimateTokens((system ?? '') + conversation.map((message) => message.content).join('')),
  );
  const outputTokens = estimateTokens(text);
  const id = nextId('msg_');
  const served = servedModel(model, '20241022');
  const deltas = splitIntoDeltas(text);

  if (!stream) {
    return wholeReply(deltas, {
      id,
      type: 'message',
      role: 'assistant',
      model: served,
      content: [{ type: 'text', text, citations: null }],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    });
  }

  const event = (type: string, payload: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });
  return {
    kind: 'sse',
    head: [
      event('message_start', {
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: served,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '', citations: null } }),
      // The real API sends pings; clients must skip them, so the fake does too.
      event('ping', {}),
    ],
    deltas: deltas.map((delta) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: delta } }),
    ),
    tail: [
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: outputTokens },
      }),
      event('message_stop', {}),
    ],
  };
}
