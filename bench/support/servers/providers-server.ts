// Benchmark child: the model providers. A fake OpenAI server (the primary of every route) and a fake
// Anthropic server (the secondary), both with a fixed baseline latency (BENCH_PROVIDER_LATENCY_MS). Handlers
// let the parent inject a standing fault (on one path, optionally), read the last prompt each one received (so
// the direct baseline sends the very same prompt), and count requests. BENCH_EMBEDDING_DIMENSIONS sets the
// fake OpenAI's vector size; BENCH_ANSWER_WORDS > 0 makes every chat answer that many words (a long stream).
// A streamed request whose body carries a tag `benchstream<N>` has the moment its first delta went to the
// socket noted (epoch ms, sub-millisecond), for the streams benchmark's first-delta overhead.
import { startFakeAnthropic, startFakeOpenAI, defaultResponder } from '../../../test/support/providers';
import type {
  ChatRequest,
  Fault,
  FakeProviderServer,
  RecordedRequest,
} from '../../../test/support/providers';
import { serveChild } from '../child-process';

export type ProviderKey = 'openai' | 'anthropic';

export interface PromptSample {
  model: string;
  system: string;
  user: string;
  maxTokens: number | null;
}

export interface FaultArgs {
  provider: ProviderKey;
  /** null clears every fault (the baseline latency stays). */
  fault: Fault | null;
  /** Only requests on this path get the fault (e.g. '/v1/chat/completions'); absent: every route. */
  path?: string;
}

/**
 * A long answer that cites passage 1, in `count` words: passage 1's own words over and over, so the grounding
 * rail passes it and the stream measured is the one a client gets in full.
 */
function longAnswer(user: string, count: number): string {
  const passage = /^\[1\] \([^)]*\) (.*)$/m.exec(user)?.[1] ?? 'the passage';
  const words = passage.split(/\s+/).filter((word) => /^[\p{L}]+$/u.test(word));
  const pool = words.length > 0 ? words : ['passage'];
  return `${Array.from({ length: count }, (_, i) => pool[i % pool.length]).join(' ')} [1].`;
}

serveChild(async () => {
  const latencyMs = Number(process.env.BENCH_PROVIDER_LATENCY_MS ?? '50');
  const embeddingDimensions = Number(process.env.BENCH_EMBEDDING_DIMENSIONS ?? '256');
  const answerWords = Number(process.env.BENCH_ANSWER_WORDS ?? '0');
  const firstDeltas = new Map<string, number>();
  const onDeltaSent = (request: RecordedRequest, index: number) => {
    if (index !== 0) return;
    const tag = /benchstream\d+/.exec(JSON.stringify(request.body))?.[0];
    if (tag) firstDeltas.set(tag, performance.timeOrigin + performance.now());
  };
  const servers: Record<ProviderKey, FakeProviderServer> = {
    openai: await startFakeOpenAI({ latencyMs, embeddingDimensions, onDeltaSent }),
    anthropic: await startFakeAnthropic({ latencyMs, onDeltaSent }),
  };
  const samples = new Map<string, PromptSample>();
  const answered: Record<ProviderKey, number> = { openai: 0, anthropic: 0 };
  for (const key of ['openai', 'anthropic'] as const) {
    servers[key].faults.setLatency(latencyMs);
    servers[key].respondWith((request: ChatRequest) => {
      answered[key] += 1;
      const user = [...request.messages].reverse().find((message) => message.role === 'user');
      const maxTokens = request.body.max_tokens;
      samples.set(`${key}:${request.model}`, {
        model: request.model,
        system: request.system ?? '',
        user: user?.content ?? '',
        maxTokens: typeof maxTokens === 'number' ? maxTokens : null,
      });
      return answerWords > 0 ? longAnswer(user?.content ?? '', answerWords) : defaultResponder(request);
    });
  }
  // The fakes log every request for tests; under load that log would grow without bound.
  const trim = setInterval(() => {
    servers.openai.requests.length = 0;
    servers.anthropic.requests.length = 0;
  }, 1000);

  return {
    ready: {
      openaiBaseURL: servers.openai.baseURL,
      anthropicBaseURL: servers.anthropic.baseURL,
      latencyMs,
    },
    async stop() {
      clearInterval(trim);
      await Promise.all([servers.openai.close(), servers.anthropic.close()]);
    },
    handlers: {
      fault(args) {
        const { provider, fault, path } = args as FaultArgs;
        servers[provider].faults.clear();
        if (fault) servers[provider].faults.always(fault, path === undefined ? {} : { path });
        return null;
      },
      sample(args) {
        return samples.get(String(args)) ?? null;
      },
      /** The first-delta send times noted so far, by tag, and forgets them. */
      firstDeltas() {
        const taken = Object.fromEntries(firstDeltas);
        firstDeltas.clear();
        return taken;
      },
      /** Requests that reached the responder (hung ones never do), per provider, since start. */
      answered() {
        return { ...answered };
      },
    },
  };
});
