// Guardrails latency benchmark (issue 10's target): what all rails together add to an `ask`, rails on vs off
// in the same run. "Off" is the ask pipeline as it was before the rails (bench/rails/unrailed-ask.ts), driven
// by the same runPipeline on the same FeatureDeps (store, gateway, fake provider) as today's pipeline, one
// question through both back to back, for two tenant policies: the default rails and the strictest (provider
// redaction, flagged chunks fenced, a topic scope). A third table times the rails' own functions for
// attribution. About 5 minutes with the defaults.
//
//   npm run bench:rails [-- --requests=1200 --warmup=150 --cost-requests=1000 --documents=120 --dry-run]
//
// Results replace the `bench:rails` block of BENCHMARKS.md (not with --dry-run).
import path from 'node:path';
import { runBenchmark } from './support/run-benchmark';
import { INJECTION_QUESTIONS, RAILS_QUESTIONS } from './rails/corpus';
import { runPairs } from './rails/paired-run';
import { measureRailCosts } from './rails/rail-costs';
import { renderRails } from './rails/report';
import { openRailsWorld } from './rails/world';
import type { RailsWorld, TenantKey } from './rails/world';

const OPTIONS = {
  requests: {
    default: 1200,
    help: 'measured asks per pipeline and tenant (each one pair: rails on and off)',
  },
  warmup: { default: 150, help: 'warm-up pairs per tenant, not measured' },
  'cost-requests': { default: 1000, help: 'requests per tenant for the rails-own-functions table' },
  documents: { default: 120, help: 'documents seeded per tenant' },
};

const PROVIDER = path.join(__dirname, 'rails', 'provider-server.ts');
const TENANT_KEYS: readonly TenantKey[] = ['default', 'strict'];

/** The guardrail counter as rail → outcome → count. */
async function railCounts(world: RailsWorld): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { labels, value } of (await world.app.metrics.guardrailOutcomes.get()).values) {
    const rail = String(labels.rail);
    counts[rail] = { ...counts[rail], [String(labels.outcome)]: value };
  }
  return counts;
}

runBenchmark('rails', OPTIONS, async ({ options, children, started, command }) => {
  const provider = await children.start(PROVIDER, { NODE_ENV: 'production' });
  const world = await openRailsWorld(String(provider.ready.baseURL), options.documents);
  try {
    console.log(`seeded ${world.seeded.chunks} chunks in ${world.seeded.seedMs} ms; pairs…`);
    const settings = {
      requests: options.requests,
      warmup: options.warmup,
      costRequests: options['cost-requests'],
      documents: options.documents,
    };
    // Warm-up pairs count rails too: the counter starts from zero at the first measured pair.
    await runPairs(world, { requests: 0, warmup: options.warmup, tenants: TENANT_KEYS });
    world.app.metrics.guardrailOutcomes.reset();
    const pairs = await runPairs(world, { requests: options.requests, warmup: 0, tenants: TENANT_KEYS });
    const counts = await railCounts(world);
    console.log('attribution…');
    const costs = [];
    for (const tenant of TENANT_KEYS)
      costs.push(await measureRailCosts(world, tenant, options['cost-requests']));
    return renderRails({
      started,
      command,
      settings,
      seeded: world.seeded,
      questions: RAILS_QUESTIONS.length,
      flaggedQuestions: INJECTION_QUESTIONS.length,
      pairs,
      costs,
      railCounts: counts,
    });
  } finally {
    await world.app.close();
  }
});
