// The quality sampler's background side against a real store: a full queue drops and counts rather than wait,
// and a store that fails costs the sample its keeping, logged without its content, never its grade.
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { createMetrics } from '../../subgraph/observability/metrics';
import { createQualitySampler } from '../../subgraph/observability/quality/quality-sampler';
import type { SampledRequest } from '../../subgraph/observability/quality/quality-sampler';
import { createSqlSampleStore } from '../../subgraph/observability/quality/sql-sample-store';
import { capturingLogger } from '../support/logs';
import { parseMetrics } from '../support/metrics-reader';
import { requirePostgres } from '../support/services';
import { openTestStore } from '../support/stores';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const EMAIL = 'jane.doe@example.com';

function sampled(overrides: Partial<SampledRequest> = {}): SampledRequest {
  return {
    tenantId: 'sampler',
    requestId: randomUUID(),
    feature: 'ask',
    createdAt: new Date(),
    outcome: 'full',
    reason: null,
    content: null,
    subject: null,
    labels: { feature: 'ask', model: 'gpt-test', promptVersion: 'answer.v2' },
    trace: ROOT_CONTEXT,
    ...overrides,
  };
}

describe('the quality sampler', () => {
  it('drops and counts what the full queue has no room for, without waiting', async () => {
    const store = await openTestStore('postgres');
    const metrics = createMetrics({ defaultMetrics: false });
    const { logger } = capturingLogger('info');
    const sampler = createQualitySampler(
      { store: createSqlSampleStore(store.current.db, store), metrics, logger },
      { capacity: 1 },
    );
    try {
      // The worker takes the first at once; the second waits; the third has no room.
      for (let i = 0; i < 3; i++) sampler.submit(sampled({ feature: 'summarize' }));
      const scraped = parseMetrics(await metrics.registry.metrics());
      expect(scraped.value('ai_quality_samples_dropped_total', { feature: 'summarize' })).toBe(1);
      await sampler.idle();
    } finally {
      await sampler.close();
      await store.dispose();
    }
  });

  it('grades a sample its store failed to keep, and logs the failure without the sample’s content', async () => {
    const store = await openTestStore('postgres');
    const samples = createSqlSampleStore(store.current.db, store);
    const metrics = createMetrics({ defaultMetrics: false });
    const { logger, lines } = capturingLogger('info');
    const sampler = createQualitySampler({ store: samples, metrics, logger });
    await store.dispose();
    try {
      const reply = 'The warranty covers two years [1].';
      sampler.submit(
        sampled({
          content: { input: `Ask ${EMAIL}`, chunkIds: ['doc#0'], output: reply, retentionDays: 30 },
          subject: {
            kind: 'answer',
            reply,
            passages: [{ index: 1, text: 'The warranty covers parts for two years.' }],
          },
        }),
      );
      await sampler.idle();
    } finally {
      await sampler.close();
    }
    const scraped = parseMetrics(await metrics.registry.metrics());
    expect(scraped.value('ai_quality_grounding_score_count', { feature: 'ask', model: 'gpt-test' })).toBe(1);
    const failures = lines.filter((line) => line.includes('quality sample: keeping it failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('"tenant":"sampler"');
    expect(lines.join('\n')).not.toContain(EMAIL);
    expect(lines.join('\n')).not.toContain('warranty');
  });
});
