// Soak benchmark: does one replica's memory plateau under a long mixed load? The subgraph runs in its own
// process with the default cache settings; clients as several tenants loop over every operation with distinct
// inputs (see soak/mix.ts) while the subgraph's RSS is sampled. Re-run after any change that adds a cache.
//
//   npm run bench:soak [-- --duration=240 --clients=16 --tenants=4 --sample=5 --database-url=postgresql://...
//     --label=... --dry-run]                                           (npm run bench:soak -- --help)
//
// Its results replace the `bench:soak` block of BENCHMARKS.md (not with --dry-run).
import { generateDocuments, seededRandom } from './support/corpus';
import { runBenchmark } from './support/run-benchmark';
import {
  DEFAULT_DATABASE_URL,
  dropSchema,
  fakeProviderEnv,
  SERVERS,
  subgraphEnv,
  tenantHeaders,
  uniqueSchema,
} from './support/subgraph';
import { runMix, seedTenants } from './soak/mix';
import type { Target } from './soak/mix';
import { renderSoak } from './soak/report';
import type { MemorySample } from './soak/report';

const OPTIONS = {
  duration: { default: 240, help: 'seconds of mixed load' },
  clients: { default: 16, help: 'concurrent clients, each looping over the mix' },
  tenants: { default: 4, help: 'tenants the clients act as (client i as tenant i mod tenants)' },
  sample: { default: 5, help: 'seconds between RSS samples' },
  'database-url': {
    default: DEFAULT_DATABASE_URL,
    help: 'PostgreSQL server for the store ("" for PGlite in memory)',
  },
  'provider-latency': { default: 20, help: 'milliseconds every fake provider call takes' },
  label: { default: '', help: 'a note under the heading' },
};

const DOCUMENTS_PER_TENANT = 20;

runBenchmark('soak', OPTIONS, async ({ options, children, started, command }) => {
  const settings = {
    durationS: options.duration,
    clients: Math.max(1, Math.round(options.clients)),
    tenants: Math.max(1, Math.round(options.tenants)),
    sampleS: Math.max(1, options.sample),
    store: options['database-url'] ? 'PostgreSQL' : 'PGlite in memory',
  };
  const providers = await children.start(SERVERS.providers, {
    NODE_ENV: 'production',
    BENCH_PROVIDER_LATENCY_MS: String(options['provider-latency']),
  });
  const schema = uniqueSchema('soak');
  const store: Record<string, string> = options['database-url']
    ? { DATABASE_URL: options['database-url'], DATABASE_SCHEMA: schema }
    : {};
  try {
    const subgraph = await children.start(
      SERVERS.subgraph,
      subgraphEnv({
        ...fakeProviderEnv(providers),
        ...store,
      }),
    );
    const url = String(subgraph.ready.url);
    const target: Target = {
      url,
      wsUrl: url.replace(/^http/, 'ws'),
      tenants: await Promise.all(
        Array.from({ length: settings.tenants }, async (_, index) => ({
          headers: await tenantHeaders(`soak-${index}`),
          documents: generateDocuments(DOCUMENTS_PER_TENANT, 3000, 100 + index),
        })),
      ),
    };
    await seedTenants(target);
    const samples: MemorySample[] = [];
    const sample = async (t0: number) => {
      const memory = await subgraph.call<NodeJS.MemoryUsage>('memory');
      samples.push({
        atS: (Date.now() - t0) / 1000,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
      });
    };
    const t0 = Date.now();
    await sample(t0);
    const sampler = setInterval(() => void sample(t0).catch(() => undefined), settings.sampleS * 1000);
    const tally = await runMix(target, settings.clients, t0 + settings.durationS * 1000, seededRandom(7));
    clearInterval(sampler);
    await sample(t0);
    await children.stop(subgraph);
    return renderSoak({ started, command, label: options.label, settings, samples, tally });
  } finally {
    if (options['database-url']) await dropSchema(options['database-url'], schema);
  }
});
