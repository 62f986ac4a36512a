// Copies what the compiled server reads at run time (SQL migrations, prompt files, the schema, the development
// page's HTML, CSS and browser module) next to dist/.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const copy = (from, to) => cpSync(from, to, { recursive: true });

function assets(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : assets(path);
    return /\.(sql|md|html|css|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

for (const file of assets('subgraph')) copy(file, join('dist', file));
copy('schema', join('dist', 'schema'));
