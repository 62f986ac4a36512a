// Foundation benchmark: what the subgraph's per-request machinery (JWT verification, context, plugins,
// validation rules) costs against a bare Apollo Server measured in the same run, and how fast an authenticated
// search is over about 10,000 chunks. Each server runs in its own child process; this one generates the load.
//
//   npm run bench:foundation [-- --duration=10 --warmup=2 --connections=50 --documents=1000 --slices=2
//     --skip-postgres --database-url=postgresql://... --dry-run]        (npm run bench:foundation -- --help)
//
// Its results replace the `bench:foundation` block of BENCHMARKS.md (not with --dry-run).
import { ChildGroup } from './support/child-process';
import { commandLine, parseOptions } from './support/options';
import { writeSection } from './support/report';
import { DEFAULT_DATABASE_URL, benchHeaders } from './support/subgraph';
import { renderFoundation } from './foundation/report';
import {
  diagnose,
  measureAuthOverhead,
  measureSearch,
  measureSearchCached,
  measureSearchOnPostgres,
  startSeededSubgraph,
  withDataDir,
} from './foundation/scenarios';
import type { FoundationRun } from './foundation/scenarios';

const COMMAND = 'npm run bench:foundation';
const OPTIONS = {
  connections: { default: 50, help: 'concurrent connections of every 50-connection scenario' },
  duration: { default: 10, help: 'seconds measured per scenario' },
  warmup: { default: 2, help: 'seconds of warm-up per scenario, on the same connections' },
  documents: { default: 1000, help: 'documents seeded (about 10 chunks each)' },
  chars: { default: 9000, help: 'characters per seeded document' },
  slices: { default: 2, help: 'alternating slices of a, b and b0' },
  'database-url': { default: DEFAULT_DATABASE_URL, help: 'PostgreSQL server for c2' },
  'skip-postgres': { default: false, help: 'leave out c2' },
  'dry-run': { default: false, help: 'print the results, do not write BENCHMARKS.md' },
};

async function main(): Promise<void> {
  const options = parseOptions(COMMAND, OPTIONS);
  const started = new Date();
  const run: FoundationRun = {
    settings: {
      connections: options.connections,
      durationS: options.duration,
      warmupS: options.warmup,
      documents: options.documents,
      chars: options.chars,
      slices: Math.max(1, Math.round(options.slices)),
      databaseUrl: options['database-url'],
    },
    children: new ChildGroup(),
    headers: await benchHeaders(),
  };
  try {
    const measured = await withDataDir(async (dataDir) => {
      const seeded = await startSeededSubgraph(run, { DATA_DIR: dataDir });
      const auth = await measureAuthOverhead(run, seeded);
      const search = await measureSearch(run, seeded);
      const diagnosis = await diagnose(seeded);
      await run.children.stop(seeded.subgraph);
      return { seeded, auth, search, diagnosis };
    });
    if (!options['skip-postgres']) measured.search.push(await measureSearchOnPostgres(run));
    measured.search.push(await measureSearchCached(run));
    const command = commandLine(COMMAND, OPTIONS, options);
    const markdown = renderFoundation({ ...measured, started, command, settings: run.settings });
    console.log(`\n${markdown}\n`);
    if (!options['dry-run']) await writeSection('foundation', markdown);
  } finally {
    await run.children.stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench:foundation failed:', error);
    process.exit(1);
  },
);
