// Where the shared dev data sets live: ../shared/data/dev beside the project (never holdout/, see its README).
import path from 'node:path';

export const devDataFile = (...segments: string[]): string =>
  path.join(__dirname, '..', '..', '..', 'shared', 'data', 'dev', ...segments);
