// The rate admission of a model call: a call whose caller has already left, or whose deadline leaves no useful
// attempt, takes none of the tenant's rate, since the walk that follows makes no model call. A long summary past
// its deadline, or a stream unsubscribed during retrieval, used to spend a request of the tenant's per-minute
// limit (and the worst-case tokens, never settled) for nothing. With the process's own limiter (no Redis).
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import type { GatewayCall } from '../../subgraph/gateway/gateway-call';
import type { RenderedPrompt } from '../../subgraph/gateway/prompts/prompt-library';
import { admitCall } from '../../subgraph/gateway/rate-admission';
import { createRateGate } from '../../subgraph/limits/rate-gate';
import { createLogger } from '../../subgraph/observability/logger';
import { createMetrics } from '../../subgraph/observability/metrics';

const PROMPT: RenderedPrompt = { version: 'summary.v1', maxTokens: 64, system: 'Summarize.', user: 'Text.' };

const gate = () =>
  createRateGate(
    null,
    { timeoutMs: 1_000, onFailure: 'open' },
    { metrics: createMetrics({ defaultMetrics: false }), logger: createLogger('silent') },
  );

function callOf(tenantId: string, extra: Partial<GatewayCall> = {}): GatewayCall {
  return {
    task: 'summarize',
    tenantId,
    requestId: 'req-1',
    promptName: 'summarize',
    variables: { text: 'Text.' },
    cacheScope: 'scope',
    inputChars: 5,
    deadline: new Deadline(5_000),
    limits: { requestsPerMinute: 1 },
    ...extra,
  };
}

describe('rate admission', () => {
  it('takes no request slot for a call whose caller has already left', async () => {
    const rate = gate();
    const left = new AbortController();
    left.abort();
    expect((await admitCall(rate, callOf('left', { signal: left.signal }), PROMPT)).kind).toBe('admitted');
    // The one request of the minute is still there for a call that will reach a model.
    expect((await admitCall(rate, callOf('left'), PROMPT)).kind).toBe('admitted');
    expect((await admitCall(rate, callOf('left'), PROMPT)).kind).toBe('refused');
  });

  it('takes no request slot for a call whose deadline leaves no useful attempt', async () => {
    const rate = gate();
    const spent = new Deadline(1);
    await sleep(5);
    expect((await admitCall(rate, callOf('spent', { deadline: spent }), PROMPT)).kind).toBe('admitted');
    expect((await admitCall(rate, callOf('spent'), PROMPT)).kind).toBe('admitted');
    expect((await admitCall(rate, callOf('spent'), PROMPT)).kind).toBe('refused');
  });
});
