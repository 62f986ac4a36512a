// Where the shared dev data sets live: ../shared/data/dev beside the project (never holdout/, see its README).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DEV_DATA = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'dev');

export const devDataFile = (...segments: string[]): string => path.join(DEV_DATA, ...segments);

/** A benchmark that cannot start as set up (its data away): run-benchmark prints the message alone. */
export class BenchSetupError extends Error {}

/** A dev data file's text; where it is absent, an error saying in one line where it was looked for. */
export function readDevData(file: string): string {
  if (!existsSync(file)) {
    throw new BenchSetupError(
      `${path.relative(process.cwd(), file)} not found: this benchmark reads the shared dev data sets from ` +
        '../shared/data/dev beside the project; put the shared folder there.',
    );
  }
  return readFileSync(file, 'utf8');
}
