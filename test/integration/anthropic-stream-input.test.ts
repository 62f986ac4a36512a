// Finding 1 (a stream the client leaves is never charged its prompt), through the Anthropic adapter and the
// official SDK against the fake Messages API: message_start names the prompt's input tokens, and the adapter
// kept them until message_delta, near the stream's end, so a stream left or cut before it reported none. They
// go on at once now, and an attempt left mid-answer reports them as what its prompt was billed.
import { createAnthropicProvider } from '../../subgraph/gateway/providers/anthropic-provider';
import type { StreamChunk, TokenUsage } from '../../subgraph/gateway/providers/model-provider';
import type { RenderedPrompt } from '../../subgraph/gateway/prompts/prompt-library';
import { streamAttempt } from '../../subgraph/gateway/stream-attempt';
import { estimateTokens } from '../../subgraph/gateway/token-estimate';
import { startFakeAnthropic } from '../support/providers';
import type { FakeProviderServer } from '../support/providers';

const MESSAGES = '/v1/messages';
const ANSWER = 'The keeper logs every passing ship and sends storm warnings by radio at dusk.';
const PROMPT: RenderedPrompt = {
  version: 'answer.v1',
  maxTokens: 256,
  system: 'Answer from the passages only.',
  user: 'Question: what does the lighthouse keeper log, and when do storm warnings go out?',
};

let server: FakeProviderServer;
beforeAll(async () => {
  server = await startFakeAnthropic({ responder: () => ANSWER });
});
afterAll(() => server?.close());
beforeEach(() => server.reset());

const provider = () =>
  createAnthropicProvider({ apiKey: 'sk-ant-test-stream-input', baseURL: server.baseURL });

/** The input tokens the fake's message_start named for the request it recorded. */
function messageStartInputTokens(): number {
  const body = server.requests.find((request) => request.path === MESSAGES)?.body as {
    system: string;
    messages: { content: string }[];
  };
  return estimateTokens(body.system + body.messages.map((message) => message.content).join(''));
}

describe('finding 1: the Anthropic adapter passes on message_start’s input tokens at once', () => {
  it('yields them before the first delta', async () => {
    server.faults.once({ kind: 'stream-hold', afterChunks: 1 }, { path: MESSAGES });
    const controller = new AbortController();
    const seen: StreamChunk[] = [];
    for await (const chunk of provider().stream({
      model: 'claude-x',
      ...PROMPT,
      signal: controller.signal,
    })) {
      seen.push(chunk);
      if (chunk.type === 'delta') break;
    }
    controller.abort();
    expect(seen.map((chunk) => chunk.type)).toEqual(['input', 'delta']);
    expect(seen[0]).toEqual({ type: 'input', inputTokens: messageStartInputTokens() });
  });

  it('a stream left before message_delta reports them as its prompt’s cost', async () => {
    server.faults.once({ kind: 'stream-hold', afterChunks: 2 }, { path: MESSAGES });
    const caller = new AbortController();
    const received: TokenUsage[] = [];
    const clocks = { firstTokenMs: 5_000, idleMs: 5_000, capMs: 10_000 };
    const attempt = streamAttempt(provider(), 'claude-x', PROMPT, clocks, caller.signal, (usage) =>
      received.push(usage),
    );
    let text = '';
    for (let i = 0; i < 2; i += 1) {
      const next = await attempt.next();
      if (next.done) throw new Error('expected a delta');
      text += next.value;
    }
    const pending = attempt.next();
    caller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'ProviderError' });
    expect(received).toEqual([
      { inputTokens: messageStartInputTokens(), outputTokens: estimateTokens(text) },
    ]);
    expect(received[0]?.inputTokens).toBeGreaterThan(0);
  });
});
