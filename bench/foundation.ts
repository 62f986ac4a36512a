// Foundation benchmark: what the subgraph's per-request machinery (JWT verification, context, plugins,
// validation rules) costs against a bare Apollo Server measured in the same run, and how fast an authenticated
// search is over about 10,000 chunks. Each server runs in its own child process; this one generates the load.
//
//   npm run bench:foundation [-- --duration=10 --warmup=2 --connections=50 --documents=1000 --slices=2
//     --skip-postgres --database-url=postgresql://... --dry-run]        (npm run bench:foundation -- --help)
//
// Its results replace the `bench:foundation` block of BENCHMARKS.md (not with --dry-run).
import { runBenchmark } from './support/run-benchmark';
import { DEFAULT_DATABASE_URL } from './support/subgraph';
import { renderFoundation } from './foundation/report';
import * as step from './foundation/scenarios';
import type { FoundationRun } from './foundation/scenarios';

const OPTIONS = {
  connections: { default: 50, help: 'concurrent connections of every 50-connection scenario' },
  duration: { default: 10, help: 'seconds measured per scenario' },
  warmup: { default: 2, help: 'seconds of warm-up per scenario, on the same connections' },
  documents: { default: 1000, help: 'documents seeded (about 10 chunks each)' },
  chars: { default: 9000, help: 'characters per seeded document' },
  slices: { default: 2, help: 'alternating slices of a, b and b0' },
  'database-url': { default: DEFAULT_DATABASE_URL, help: 'PostgreSQL server for c2' },
  'skip-postgres': { default: false, help: 'leave out c2' },
};

runBenchmark('foundation', OPTIONS, async ({ options, children, headers, started, command }) => {
  const settings = {
    connections: options.connections,
    durationS: options.duration,
    warmupS: options.warmup,
    documents: options.documents,
    chars: options.chars,
    slices: Math.max(1, Math.round(options.slices)),
    databaseUrl: options['database-url'],
  };
  const run: FoundationRun = { settings, children, headers };
  const measured = await step.withDataDir(async (dataDir) => {
    const seeded = await step.startSeededSubgraph(run, { DATA_DIR: dataDir });
    const auth = await step.measureAuthOverhead(run, seeded);
    const search = await step.measureSearch(run, seeded);
    const diagnosis = await step.diagnose(seeded);
    await children.stop(seeded.subgraph);
    return { seeded, auth, search, diagnosis };
  });
  if (!options['skip-postgres']) measured.search.push(await step.measureSearchOnPostgres(run));
  measured.search.push(await step.measureSearchCached(run));
  return renderFoundation({ ...measured, started, command, settings });
});
