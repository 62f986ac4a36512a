// Proves the fake providers speak the real wire formats: the official SDKs, unchanged, talk to them and see each fault.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FaultPlan, cosineSimilarity, startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { ChatRequest, FakeProviderServer } from '../support/providers';

const question = [{ role: 'user' as const, content: 'Please summarize the quarterly report for the board' }];

async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

/**
 * Errors raised by Node itself (undici's 'terminated', JSON.parse in the fetch body) come from another
 * realm than jest's sandbox, so toBeInstanceOf(SyntaxError) fails on them; compare names instead.
 */
function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : typeof error;
}

/** Settles a promise into its error, failing the test if it resolved. */
async function errorOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('fake OpenAI server with the openai SDK', () => {
  let server: FakeProviderServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startFakeOpenAI();
    client = new OpenAI({ apiKey: 'test', baseURL: server.url + '/v1', maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const complete = (options?: { signal?: AbortSignal }) =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: question }, options);

  it('answers a JSON completion with the responder text and usage', async () => {
    let seen: ChatRequest | undefined;
    server.respondWith((request) => {
      seen = request;
      return 'The report shows growth.';
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Be brief.' }, ...question],
    });
    expect(completion.choices[0]?.message.content).toBe('The report shows growth.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 15, completion_tokens: 6, total_tokens: 21 });
    expect(completion._request_id).toMatch(/^req_/);
    expect(seen).toMatchObject({ model: 'gpt-4o-mini', system: 'Be brief.', stream: false });
  });

  it('uses a deterministic default responder derived from the last user message', async () => {
    const completion = await complete();
    expect(completion.choices[0]?.message.content).toBe(
      'Summary: Please summarize the quarterly report for the board',
    );
  });

  it('cuts the answer at max_tokens and says so', async () => {
    server.respondWith(() => 'x'.repeat(100));
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
      max_completion_tokens: 5,
    });
    expect(completion.choices[0]?.message.content).toHaveLength(20);
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('streams deltas that assemble to the responder text, then a usage chunk', async () => {
    server.respondWith(() => 'Revenue grew by ten percent this quarter.');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join('')).toBe('Revenue grew by ten percent this quarter.');
    expect(deltas.length).toBe(7);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: 11 });
  });

  it('serves deterministic embeddings where related texts score higher', async () => {
    const texts = ['the cat sat on the mat', 'the cat sat on a mat', 'quarterly revenue grew in europe'];
    // The SDK asks for base64 by default and decodes it; ask for floats too to cover both wire forms.
    const base64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts });
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: texts,
      encoding_format: 'float',
    });
    const [cat, cat2, revenue] = base64.data.map((item) => item.embedding);
    expect(cat).toHaveLength(256);
    expect(floats.data[0]?.embedding[0]).toBeCloseTo(cat?.[0] ?? NaN, 6);
    expect(cosineSimilarity(cat ?? [], cat2 ?? [])).toBeGreaterThan(0.6);
    expect(cosineSimilarity(cat ?? [], cat2 ?? [])).toBeGreaterThan(
      cosineSimilarity(cat ?? [], revenue ?? []) + 0.4,
    );
    const again = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts[0] ?? '' });
    expect(again.data[0]?.embedding).toEqual(cat);
    const small = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'x',
      dimensions: 64,
    });
    expect(small.data[0]?.embedding).toHaveLength(64);
    expect(base64.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toContain('gpt-4o-mini');
  });

  it('answers 429 with readable retry-after headers', async () => {
    server.faults.once({ kind: 'status', status: 429, retryAfterSeconds: 2, retryAfterMs: 1500 });
    const error = await errorOf(complete());
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('2');
    expect(apiError.headers?.get('retry-after-ms')).toBe('1500');
    expect(apiError.code).toBe('rate_limit_exceeded');
  });

  it.each([500, 502, 503])('answers %i as a server error', async (status) => {
    server.faults.once({ kind: 'status', status });
    const error = await errorOf(complete());
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
  });

  it('fails a stream request with a status before any chunk', async () => {
    server.faults.once({ kind: 'status', status: 503 });
    const error = await errorOf(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: question, stream: true }),
    );
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('resets the connection as a connection error', async () => {
    server.faults.once({ kind: 'reset' });
    expect(await errorOf(complete())).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('answers malformed JSON that the SDK cannot parse', async () => {
    server.faults.once({ kind: 'malformed-json' });
    expect(nameOf(await errorOf(complete()))).toBe('SyntaxError');
  });

  it('cuts a stream after the given number of deltas', async () => {
    server.respondWith(() => 'one two three four five six');
    server.faults.once({ kind: 'stream-cut', afterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
      stream: true,
    });
    const deltas: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) deltas.push(content);
      }
    };
    // undici reports a body that ends mid-chunked-encoding as TypeError('terminated'); the SDK passes it on.
    const cut = await errorOf(consume());
    expect(nameOf(cut)).toBe('TypeError');
    expect(String(cut)).toContain('terminated');
    expect(deltas).toEqual(['one ', 'two ']);
  });

  it('sends a malformed event on a stream, and treats a cut or drip on a JSON request sensibly', async () => {
    server.faults.once({ kind: 'malformed-json' });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
      stream: true,
    });
    const drain = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // draining only
      }
    };
    expect(nameOf(await errorOf(drain()))).toBe('SyntaxError');

    server.faults.once({ kind: 'stream-cut', afterChunks: 1 });
    expect(await errorOf(complete())).toBeInstanceOf(OpenAI.APIConnectionError);

    server.respondWith(() => 'one two three');
    server.faults.once({ kind: 'slow-drip', delayMs: 20 });
    expect((await elapsed(complete)).ms).toBeGreaterThanOrEqual(55);
  });

  it('drips a stream slowly', async () => {
    server.respondWith(() => 'one two three four');
    server.faults.once({ kind: 'slow-drip', delayMs: 25 });
    const { ms, result } = await elapsed(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: question,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    expect(result).toBe('one two three four');
    expect(ms).toBeGreaterThanOrEqual(90);
  });

  it('hangs until the client aborts, and keeps serving afterwards', async () => {
    server.faults.once({ kind: 'hang' });
    const { ms, result } = await elapsed(() => errorOf(complete({ signal: AbortSignal.timeout(100) })));
    expect(result).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(ms).toBeLessThan(300);
    await expect(complete()).resolves.toBeDefined();
  });

  it('adds the baseline latency and latency faults', async () => {
    server.faults.setLatency(40).once({ kind: 'latency', ms: 40 });
    expect((await elapsed(complete)).ms).toBeGreaterThanOrEqual(75);
    expect((await elapsed(complete)).ms).toBeGreaterThanOrEqual(35);
    server.reset();
    expect(server.faults.latencyMs).toBe(0);
  });

  it('applies once, times, always and clear over HTTP', async () => {
    const outcome = async (): Promise<number> => {
      const error = await complete().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      return error instanceof OpenAI.APIError ? (error.status ?? -1) : 200;
    };
    server.faults.once({ kind: 'status', status: 500 }).times(2, { kind: 'status', status: 502 });
    expect([await outcome(), await outcome(), await outcome(), await outcome()]).toEqual([
      500, 502, 502, 200,
    ]);
    server.faults.always({ kind: 'status', status: 503 });
    expect([await outcome(), await outcome()]).toEqual([503, 503]);
    server.faults.clear();
    expect(await outcome()).toBe(200);
  });

  it('scopes a fault to one path', async () => {
    server.faults.once({ kind: 'status', status: 500 }, { path: '/v1/embeddings' });
    await expect(complete()).resolves.toBeDefined();
    expect(await errorOf(client.embeddings.create({ model: 'e', input: 'x' }))).toBeInstanceOf(
      OpenAI.InternalServerError,
    );
  });

  it('answers embeddings with fewer vectors than texts under a short-list fault, once', async () => {
    server.faults.once({ kind: 'short-list', drop: 1 }, { path: '/v1/embeddings' });
    const input = ['first text', 'second text', 'third text'];
    const short = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    expect(short.data.map((item) => item.index)).toEqual([0, 1]);
    const whole = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    expect(whole.data).toHaveLength(3);
  });

  it('records requests', async () => {
    server.faults.once({ kind: 'status', status: 429 });
    await errorOf(complete());
    await complete();
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(server.requestCount()).toBe(3);
    expect(server.requestCount('/v1/chat/completions')).toBe(2);
    const [first] = server.requests;
    expect(first).toMatchObject({ method: 'POST', path: '/v1/chat/completions', fault: { kind: 'status' } });
    expect(first?.body).toMatchObject({ model: 'gpt-4o-mini', messages: question });
    expect(first?.headers.authorization).toBe('Bearer test');
  });
});

describe('fake Anthropic server with the @anthropic-ai/sdk SDK', () => {
  let server: FakeProviderServer;
  let client: Anthropic;

  beforeAll(async () => {
    server = await startFakeAnthropic();
    client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const create = (options?: { signal?: AbortSignal }) =>
    client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, messages: question }, options);

  it('answers a JSON message with the responder text and usage', async () => {
    let seen: ChatRequest | undefined;
    server.respondWith((request) => {
      seen = request;
      return 'The board should know revenue grew.';
    });
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarize the report' }] }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'The board should know revenue grew.' });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 8, output_tokens: 9 });
    expect(seen).toMatchObject({
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Summarize the report' }],
    });
  });

  it('streams raw events in the documented order', async () => {
    server.respondWith(() => 'Revenue grew by ten percent.');
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: question,
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Revenue grew by ten percent.');
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('streams through the messages.stream helper with final usage', async () => {
    server.respondWith(() => 'Revenue grew by ten percent.');
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 256, messages: question });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Revenue grew by ten percent.' });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(7);
  });

  it('answers 429 and 529 in the Anthropic error format', async () => {
    server.faults
      .once({ kind: 'status', status: 429, retryAfterSeconds: 3 })
      .once({ kind: 'status', status: 529 });
    const limited = await errorOf(create());
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('3');
    const overloaded = (await errorOf(create())) as InstanceType<typeof Anthropic.APIError>;
    expect(overloaded.status).toBe(529);
    expect(overloaded.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('resets, answers malformed JSON and cuts streams', async () => {
    server.faults.once({ kind: 'reset' }).once({ kind: 'malformed-json' });
    expect(await errorOf(create())).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(nameOf(await errorOf(create()))).toBe('SyntaxError');

    server.respondWith(() => 'one two three four');
    server.faults.once({ kind: 'stream-cut', afterChunks: 1 });
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 256, messages: question });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    // The helper wraps the transport's 'terminated' TypeError in its own error class.
    const cut = await errorOf(stream.finalMessage());
    expect(cut).toBeInstanceOf(Anthropic.AnthropicError);
    expect(String(cut)).toContain('terminated');
    expect(deltas).toEqual(['one ']);
  });

  it('hangs until the client aborts', async () => {
    server.faults.once({ kind: 'hang' });
    const { ms, result } = await elapsed(() => errorOf(create({ signal: AbortSignal.timeout(100) })));
    expect(result).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(ms).toBeLessThan(300);
  });
});

describe('server lifecycle and options', () => {
  it('close() ends hung requests so nothing is left open', async () => {
    const server = await startFakeOpenAI();
    const client = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0 });
    server.faults.always({ kind: 'hang' });
    const pending = errorOf(client.chat.completions.create({ model: 'gpt-4o-mini', messages: question }));
    while (server.requestCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('rejects a wrong API key when one is required, and starts with the given latency', async () => {
    const server = await startFakeAnthropic({ apiKey: 'right', latencyMs: 30 });
    try {
      const client = new Anthropic({ apiKey: 'wrong', baseURL: server.baseURL, maxRetries: 0 });
      const error = await errorOf(
        client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: question }),
      );
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(server.faults.latencyMs).toBe(30);
    } finally {
      await server.close();
    }
  });
});

describe('FaultPlan', () => {
  it('serves queued faults in order, then the standing one, until cleared', () => {
    const plan = new FaultPlan();
    const hang = { kind: 'hang' } as const;
    const reset = { kind: 'reset' } as const;
    plan.once(hang).times(2, reset);
    expect(plan.pending).toBe(3);
    expect([plan.take('/a'), plan.take('/a'), plan.take('/a'), plan.take('/a')]).toEqual([
      hang,
      reset,
      reset,
      undefined,
    ]);
    plan.always(hang);
    expect([plan.take('/a'), plan.take('/b')]).toEqual([hang, hang]);
    plan.setLatency(50).clear();
    expect(plan.take('/a')).toBeUndefined();
    expect(plan.latencyMs).toBe(50);
  });

  it('leaves faults scoped to another path in the queue', () => {
    const plan = new FaultPlan().once({ kind: 'reset' }, { path: '/v1/embeddings' });
    expect(plan.take('/v1/chat/completions')).toBeUndefined();
    expect(plan.take('/v1/embeddings')).toEqual({ kind: 'reset' });
  });
});
