// The model a provider says answered (gen_ai.response.model), through each adapter and the official SDK: the
// real APIs answer an alias in the name of a dated snapshot, and the fakes do too, so what was asked for and what
// answered differ here as they do in production. The span test (test/e2e/tracing.test.ts) checks the attribute.
import { createAnthropicProvider } from '../../subgraph/gateway/providers/anthropic-provider';
import { createOpenAIProvider } from '../../subgraph/gateway/providers/openai-provider';
import type { ModelProvider, TokenUsage } from '../../subgraph/gateway/providers/model-provider';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { FakeProviderServer } from '../support/providers';

let openaiServer: FakeProviderServer;
let anthropicServer: FakeProviderServer;
let openai: ModelProvider;
let anthropic: ModelProvider;

beforeAll(async () => {
  [openaiServer, anthropicServer] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  openai = createOpenAIProvider({
    name: 'openai',
    apiKey: 'sk-test-response-model',
    baseURL: openaiServer.baseURL,
  });
  anthropic = createAnthropicProvider({
    apiKey: 'sk-ant-test-response-model',
    baseURL: anthropicServer.baseURL,
  });
});
afterAll(() => Promise.all([openaiServer?.close(), anthropicServer?.close()]));

const request = (model: string) => ({
  model,
  system: 'Answer briefly.',
  user: 'Which warehouse ships first?',
  maxTokens: 50,
  signal: new AbortController().signal,
});

async function streamedUsage(provider: ModelProvider, model: string): Promise<TokenUsage | undefined> {
  let usage: TokenUsage | undefined;
  for await (const chunk of provider.stream(request(model))) {
    if (chunk.type === 'usage') usage = chunk.usage;
  }
  return usage;
}

describe.each([
  { name: 'openai', provider: () => openai, asked: 'gpt-4.1-mini', answered: 'gpt-4.1-mini-2024-07-18' },
  {
    name: 'anthropic',
    provider: () => anthropic,
    asked: 'claude-haiku-4-5-latest',
    answered: 'claude-haiku-4-5-20241022',
  },
])('$name', ({ provider, asked, answered }) => {
  it('reports the model that answered a completion, beside its tokens', async () => {
    const { usage } = await provider().complete(request(asked));
    expect(usage.responseModel).toBe(answered);
    expect(usage.inputTokens).toBeGreaterThan(0);
  });

  it('reports the model that answered a stream with its usage', async () => {
    const usage = await streamedUsage(provider(), asked);
    expect(usage?.responseModel).toBe(answered);
    expect(usage?.outputTokens).toBeGreaterThan(0);
  });
});

it('openai: reports the model that made embeddings', async () => {
  const embeddings = await openai.embed?.({
    model: 'text-embedding-3-small',
    input: ['roof boxes'],
    signal: new AbortController().signal,
  });
  expect(embeddings?.usage.responseModel).toBe('text-embedding-3-small');
});
