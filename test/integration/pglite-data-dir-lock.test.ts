// Finding: two processes could share one PGlite DATA_DIR. Both started; a document ingested on one was missing
// from a search on the other, and each wrote its own copy back on exit, so a rolling update on a shared volume
// lost data. Now the process that opens the folder holds `<DATA_DIR>/.lock` until its store closes: another
// refuses to start with one line naming DATA_DIR and the holder, a lock a dead process on this host left is
// taken over, and `:memory:` stores take none.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreConfig } from '../../subgraph/config';
import { DATA_DIR_LOCK_FILE } from '../../subgraph/retrieval/store/data-dir-lock';
import { openStore } from '../../subgraph/retrieval/store/open-store';
import type { OpenedStore } from '../../subgraph/retrieval/store/open-store';
import { withPgliteTemplate } from '../support/pglite-template';
import { REPO_ROOT, spawnMain } from '../support/spawn-subgraph';
import type { ChildExit } from '../support/spawn-subgraph';
import { DEFAULT_APP_ROLE, putChunks, uniqueSchemaName } from '../support/stores';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import { waitUntil } from '../support/wait-for';

// A data folder's first open runs PGlite's initdb (seconds, more on a busy machine); the child processes start
// the subgraph or PGlite through tsx.
jest.setTimeout(120_000);

const TENANT = 'acme';
const ONE_PROCESS = 'one process per DATA_DIR; use DATABASE_URL for several replicas';

// One folder for the suite, so initdb runs once; each test leaves it closed and unlocked for the next.
const dataDir = mkdtempSync(join(tmpdir(), 'ai-data-dir-lock-'));
const lockFile = join(dataDir, DATA_DIR_LOCK_FILE);
const config: StoreConfig = {
  databaseUrl: undefined,
  dataDir,
  schema: uniqueSchemaName('lock'),
  appRole: DEFAULT_APP_ROLE,
  poolSize: 1,
};

/**
 * The last test's two :memory: stores, opened side by side before the first test: they share nothing with the
 * folder the other tests take turns on, and opening them (on PGlite threads of their own) is seconds.
 */
let memoryStores: Promise<PromiseSettledResult<OpenedStore>[]>;

beforeAll(() => {
  const memory = withPgliteTemplate({ ...config, dataDir: ':memory:' });
  memoryStores = Promise.allSettled([openStore(memory), openStore(memory)]);
});

afterAll(async () => {
  // Closed by their test; again here (a no-op then) should it not have run.
  for (const opened of await memoryStores) {
    if (opened.status === 'fulfilled') await opened.value.documents.close().catch(() => undefined);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const lockHolder = (): { pid: number; hostname: string } =>
  JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; hostname: string };

async function storedIds(store: OpenedStore, ids: string[]): Promise<string[]> {
  return (await store.documents.getDocuments(TENANT, ids)).map((document) => document.id).sort();
}

/** The error opening the store fails with; a store that opens anyway is closed, and the test fails. */
async function refusalOf(opening: Promise<OpenedStore>): Promise<Error> {
  const outcome = await opening.then(
    async (store) => {
      await store.documents.close();
      return null;
    },
    (error: unknown) => error,
  );
  if (outcome === null) throw new Error('the store opened on a DATA_DIR held by another');
  if (!(outcome instanceof Error)) throw new Error(`rejected with a non-Error: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The child's exit, or 'ready' once it logged that it serves (the old behaviour: two servers on one folder). */
async function startOutcome(spawned: ReturnType<typeof spawnMain>): Promise<ChildExit | 'ready'> {
  let exit: ChildExit | null = null;
  void spawned.waitForExit().then((code) => (exit = code));
  await waitUntil(
    () => exit !== null || spawned.stdout().includes('subgraph ready'),
    90_000,
    'the second subgraph to exit or serve',
  );
  if (exit) return exit;
  spawned.child.kill('SIGKILL');
  await spawned.waitForExit();
  return 'ready';
}

describe('two processes could share one PGlite DATA_DIR', () => {
  it('a second subgraph on a DATA_DIR in use stops at start with one line naming it and the holder; the first is untouched', async () => {
    const first = await openStore(config);
    try {
      await putChunks(first.documents, TENANT, { id: 'before', title: 'Before', body: 'x' }, 'ledger before');
      // Read leniently, so that without a lock the test goes on to show the second subgraph starting.
      const lockBefore = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : null;
      const filesBefore = readdirSync(dataDir).sort();

      const second = spawnMain({
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        PORT: '0',
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
      });
      expect(await startOutcome(second)).toEqual({ code: 1, signal: null });
      const lines = second.stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^fatal: DATA_DIR: /);
      expect(lines[0]).toContain(
        `DATA_DIR: ${dataDir} is already open in process ${process.pid} on host ${hostname()} ` +
          `(lock file ${lockFile}); ${ONE_PROCESS}`,
      );

      // The refused start changed nothing: the lock is the first's, no file came or went, and it still writes.
      expect(lockBefore).not.toBeNull();
      expect(readFileSync(lockFile, 'utf8')).toBe(lockBefore);
      expect(readdirSync(dataDir).sort()).toEqual(filesBefore);
      await putChunks(first.documents, TENANT, { id: 'after', title: 'After', body: 'y' }, 'ledger after');
      expect(await storedIds(first, ['before', 'after'])).toEqual(['after', 'before']);
    } finally {
      await first.documents.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it('a second store in this process is refused too, and the folder opens again once the first has closed', async () => {
    const first = await openStore(config);
    try {
      const refused = await refusalOf(openStore(config));
      expect(refused.message).toContain(`DATA_DIR: ${dataDir} is already open in process ${process.pid}`);
      expect(refused.message).toContain(ONE_PROCESS);
      expect(lockHolder().pid).toBe(process.pid);
      expect(await storedIds(first, ['before', 'after'])).toEqual(['after', 'before']);
    } finally {
      await first.documents.close();
    }
    expect(existsSync(lockFile)).toBe(false);

    const next = await openStore(config);
    try {
      expect(lockHolder()).toEqual(expect.objectContaining({ pid: process.pid, hostname: hostname() }));
      expect(await storedIds(next, ['before', 'after'])).toEqual(['after', 'before']);
    } finally {
      await next.documents.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over the lock a process that no longer runs on this host left behind', async () => {
    // A pid that surely ran here and surely does not any more.
    const gone = spawnSync(process.execPath, ['-e', '']);
    expect(gone.status).toBe(0);
    writeFileSync(lockFile, `${JSON.stringify({ pid: gone.pid, hostname: hostname() })}\n`);

    const store = await openStore(config);
    try {
      expect(lockHolder()).toEqual(expect.objectContaining({ pid: process.pid, hostname: hostname() }));
      expect(await storedIds(store, ['before'])).toEqual(['before']);
    } finally {
      await store.documents.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a lock held on another host, whose process it cannot check, and leaves that lock as it was', async () => {
    const theirs = `${JSON.stringify({ pid: process.pid, hostname: 'replica-b.invalid' })}\n`;
    writeFileSync(lockFile, theirs);
    try {
      const refused = await refusalOf(openStore(config));
      expect(refused.message).toBe(
        `DATA_DIR: ${dataDir} is already open in process ${process.pid} on host replica-b.invalid (lock file ` +
          `${lockFile}); ${ONE_PROCESS}; if that process no longer runs, delete ${lockFile}`,
      );
      expect(readFileSync(lockFile, 'utf8')).toBe(theirs);
    } finally {
      rmSync(lockFile, { force: true });
    }
  });

  it('a process that exits without closing its store leaves no lock behind', async () => {
    // Opens PGlite on the folder, reports who holds the lock, and exits at once, its store still open.
    const script = `
      const { readFileSync } = require('node:fs');
      const { openPGlite } = require('./subgraph/retrieval/store/pglite-database.ts');
      openPGlite(process.argv[1]).then(() => {
        process.stdout.write(readFileSync(process.argv[2], 'utf8'));
        process.exit(0);
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dataDir, lockFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ pid: child.pid, hostname: hostname() }));
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes no lock for :memory: stores: two open side by side, and no folder or lock file is made', async () => {
    const [one, two] = (await memoryStores).map((opened) => {
      if (opened.status === 'rejected') throw opened.reason;
      return opened.value;
    });
    if (!one || !two) throw new Error('the two :memory: stores did not open');
    try {
      await putChunks(one.documents, TENANT, { id: 'only-one', title: 'One', body: 'z' }, 'only in one');
      expect(await storedIds(one, ['only-one'])).toEqual(['only-one']);
      expect(await storedIds(two, ['only-one'])).toEqual([]);
      expect(existsSync(join(process.cwd(), ':memory:'))).toBe(false);
    } finally {
      await Promise.all([one.documents.close(), two.documents.close()]);
    }
  });
});
