// What every benchmark script does around its own steps: read its flags (plus --dry-run), own the child
// processes it starts (all stopped at the end, even on failure), print its markdown and write it into its
// section of BENCHMARKS.md, and exit non-zero when a step failed.
import { ChildGroup } from './child-process';
import { BenchSetupError } from './dev-data';
import { commandLine, parseOptions } from './options';
import type { OptionSpecs, Options } from './options';
import { writeSection } from './report';
import { benchHeaders } from './subgraph';

export interface BenchmarkContext<S extends OptionSpecs> {
  options: Options<S & typeof DRY_RUN>;
  children: ChildGroup;
  /** The bench tenant's bearer token header. */
  headers: Record<string, string>;
  started: Date;
  /** The command line that reproduces this run, for the report. */
  command: string;
}

const DRY_RUN = { 'dry-run': { default: false, help: 'print the results, do not write BENCHMARKS.md' } };

/** Runs benchmark `name` (`npm run bench:<name>`): `steps` measure and return the section's markdown. */
export function runBenchmark<S extends OptionSpecs>(
  name: string,
  specs: S,
  steps: (context: BenchmarkContext<S>) => Promise<string>,
): void {
  const started = new Date();
  const children = new ChildGroup();
  const run = async () => {
    const command = `npm run bench:${name}`;
    const all = { ...specs, ...DRY_RUN };
    const options = parseOptions(command, all);
    const context = { options, children, headers: await benchHeaders(), started };
    const markdown = await steps({ ...context, command: commandLine(command, all, options) });
    console.log(`\n${markdown}\n\ndone in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
    if (!options['dry-run']) await writeSection(name, markdown);
  };
  run()
    .finally(() => children.stopAll())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        // A setup the benchmark cannot run in (its data away) is said in one line; anything else with its stack.
        console.error(`bench:${name} failed:`, error instanceof BenchSetupError ? error.message : error);
        process.exit(1);
      },
    );
}
