// A loopback server speaking the OpenAI wire format (chat completions, embeddings, models) for tests and benchmarks.
import { ProviderHttpError, startFakeServer } from './server';
import type { FakeProviderServer, FakeServerOptions, Reply, Route, RouteInput, SseEvent } from './server';
import { requireMessages, requireModel, servedModel, wholeReply } from './requests';
import { estimateTokens, isRecord, limitToTokens, optionalInteger, splitIntoDeltas } from './text';
import { hashEmbedding, toBase64Float32 } from './vectors';

export interface FakeOpenAIOptions extends FakeServerOptions {
  /** Vector size when the request has no `dimensions`; 256 by default. */
  embeddingDimensions?: number;
  /** Ids listed by GET /v1/models. */
  models?: string[];
}

/** Starts the fake; give the openai SDK `baseURL: server.baseURL` (that is, url + '/v1'). */
export function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeProviderServer> {
  const dimensions = options.embeddingDimensions ?? 256;
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];
  return startFakeServer(
    {
      routes: {
        'POST /v1/chat/completions': chatCompletions,
        'POST /v1/embeddings': (input) => embeddings(input, dimensions),
        'GET /v1/models': () => ({
          kind: 'json',
          body: {
            object: 'list',
            data: models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })),
          },
        }),
      },
      baseURL: (origin) => `${origin}/v1`,
      errorBody: openAIError,
      authorized: (headers, apiKey) => headers.authorization === `Bearer ${apiKey}`,
      requestIdHeader: 'x-request-id',
    },
    options,
  );
}

/** OpenAI's error envelope; `type`/`code` follow what the real API sends for each status. */
export function openAIError(status: number, message: string): unknown {
  const [type, code] =
    status === 429
      ? ['requests', 'rate_limit_exceeded']
      : status === 401
        ? ['invalid_request_error', 'invalid_api_key']
        : status === 404
          ? ['invalid_request_error', 'not_found']
          : status >= 500
            ? ['server_error', null]
            : ['invalid_request_error', null];
  return { error: { message, type, param: null, code } };
}

const MISSING_MODEL = 'you must provide a model parameter';

const chatCompletions: Route = async ({ body, responder, nextId }: RouteInput): Promise<Reply> => {
  const model = requireModel(body, MISSING_MODEL);
  const messages = requireMessages(body, "Invalid value for 'messages': expected a non-empty array.");
  const systemText = messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .map((message) => message.content)
    .join('\n');
  const stream = body.stream === true;
  const answer = await responder({ model, messages, system: systemText || undefined, stream, body });
  const maxTokens = optionalInteger(body.max_completion_tokens) ?? optionalInteger(body.max_tokens);
  const { text, truncated } = limitToTokens(answer, maxTokens);
  const finishReason = truncated ? 'length' : 'stop';
  const promptTokens = Math.max(1, estimateTokens(messages.map((message) => message.content).join('')));
  const completionTokens = estimateTokens(text);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = nextId('chatcmpl-');
  const served = servedModel(model, '2024-07-18');
  const created = Math.floor(Date.now() / 1000);
  const deltas = splitIntoDeltas(text);

  if (!stream) {
    return wholeReply(deltas, {
      id,
      object: 'chat.completion',
      created,
      model: served,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
      system_fingerprint: null,
    });
  }

  // With include_usage every chunk carries `usage: null` and one extra chunk (empty choices) carries the totals.
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: unknown[], usageField: unknown = null): SseEvent => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model: served,
      system_fingerprint: null,
      choices,
      ...(includeUsage ? { usage: usageField } : {}),
    }),
  });
  const choice = (delta: Record<string, unknown>, finish: string | null): unknown => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  const tail = [chunk([choice({}, finishReason)])];
  if (includeUsage) tail.push(chunk([], usage));
  tail.push({ data: '[DONE]' });
  return {
    kind: 'sse',
    head: [chunk([choice({ role: 'assistant', content: '', refusal: null }, null)])],
    deltas: deltas.map((content) => chunk([choice({ content }, null)])),
    tail,
  };
};

function embeddings({ body }: RouteInput, defaultDimensions: number): Reply {
  const model = requireModel(body, MISSING_MODEL);
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((item) => typeof item === 'string')) {
    throw new ProviderHttpError(400, "'$.input' is invalid: expected a string or an array of strings.");
  }
  const texts = input;
  if (texts.some((text) => text.length === 0)) {
    throw new ProviderHttpError(400, "'$.input' is invalid: empty strings are not allowed.");
  }
  const dimensions = body.dimensions === undefined ? defaultDimensions : optionalInteger(body.dimensions);
  if (dimensions === undefined || dimensions < 1) {
    throw new ProviderHttpError(400, "'dimensions' must be a positive integer.");
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new ProviderHttpError(400, "'encoding_format' must be 'float' or 'base64'.");
  }
  const promptTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  return {
    kind: 'json',
    body: {
      object: 'list',
      model,
      data: texts.map((text, index) => {
        const vector = hashEmbedding(text, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: format === 'base64' ? toBase64Float32(vector) : vector,
        };
      }),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
  };
}
