// Writes a tarball of a freshly initialised PGlite data folder, with the extensions the store loads, to the path
// given: jest's global setup runs it once per run, and every in-memory store of the suites starts from it
// (StoreConfig.pgliteTemplate) instead of running initdb again. Plain JavaScript: PGlite is ESM only.
import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import process from 'node:process';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

const [target] = process.argv.slice(2);
if (!target) throw new Error('usage: make-pglite-template.mjs <file>');
const db = await PGlite.create({ extensions: { vector } });
const dump = await db.dumpDataDir('none');
await writeFile(target, Buffer.from(await dump.arrayBuffer()));
await db.close();
