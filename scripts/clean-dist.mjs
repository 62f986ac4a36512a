// Empties dist/ before a build: tsc and copy-assets only add and overwrite, so a prompt file or migration
// deleted from the sources would stay in dist/ and still be served (the highest prompt version on disk wins)
// or run (every migration file in the folder is applied).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
