// `npm test` on a machine without PostgreSQL or Redis: jest runs as a developer runs it, on one memory-only suite,
// one that needs PostgreSQL and one that needs Redis, with both services pointed at ports nobody listens on.
// It must finish (no reconnect loop keeps it alive), run the memory-only suite as usual, and fail each of the
// others once, with the one line that says what to start, instead of a screenful of ECONNREFUSED per test.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../support/spawn-subgraph';

/** A generous bound: the three suites take seconds; the old code ran for minutes and then never exited. */
const FINISH_WITHIN_MS = 60_000;

jest.setTimeout(FINISH_WITHIN_MS + 30_000);

const SUITES = {
  memoryOnly: 'test/unit/pricing.test.ts',
  postgres: 'test/integration/document-store.test.ts',
  redis: 'test/integration/completion-cache-contract.test.ts',
};

interface JestRun {
  code: number | null;
  killed: boolean;
  elapsedMs: number;
  output: string;
}

function runJest(files: string[], env: Record<string, string>): Promise<JestRun> {
  // The variables the outer run's global setup left (its own probe answers) must not decide the inner run's.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEST_SERVICE_DOWN_')),
  );
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--runInBand',
      ...files,
    ],
    { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, FINISH_WITHIN_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, elapsedMs: Date.now() - started, output });
    });
  });
}

/** The lines jest printed for one suite: from its PASS/FAIL header to the next header or the summary. */
function reportOf(output: string, suite: string): string {
  const start = output.search(new RegExp(`(PASS|FAIL) ${suite.replace(/\./g, '\\.')}`));
  if (start < 0) return '';
  const rest = output.slice(start + 1);
  const end = rest.search(/\n(PASS|FAIL) |\nTest Suites:/);
  return output.slice(start, end < 0 ? undefined : start + 1 + end);
}

describe('npm test without PostgreSQL and Redis', () => {
  it('finishes within a minute: the memory-only suite passes, each suite needing a service fails with one line naming what to start, no ECONNREFUSED flood, no hang', async () => {
    const [postgresPort, redisPort] = [await freePort(), await freePort()];
    const databaseUrl = `postgresql://root@127.0.0.1:${postgresPort}/test`;
    const redisUrl = `redis://127.0.0.1:${redisPort}`;

    const run = await runJest(Object.values(SUITES), {
      TEST_DATABASE_URL: databaseUrl,
      TEST_REDIS_URL: redisUrl,
    });

    expect({ killed: run.killed, code: run.code }).toEqual({ killed: false, code: 1 });
    expect(run.elapsedMs).toBeLessThan(FINISH_WITHIN_MS);
    expect(run.output).not.toMatch(/did not exit one second after/);

    expect(reportOf(run.output, SUITES.memoryOnly)).toMatch(/^PASS /);
    const postgres = reportOf(run.output, SUITES.postgres);
    expect(postgres).toMatch(/^FAIL /);
    expect(postgres).toContain('Test suite failed to run');
    expect(postgres).toContain(
      `PostgreSQL is not answering at ${databaseUrl} (connect ECONNREFUSED 127.0.0.1:${postgresPort}): start it`,
    );
    expect(postgres).toContain('or set TEST_DATABASE_URL');
    const redis = reportOf(run.output, SUITES.redis);
    expect(redis).toMatch(/^FAIL /);
    expect(redis).toContain(
      `Redis is not answering at ${redisUrl} (connect ECONNREFUSED 127.0.0.1:${redisPort}): start it`,
    );
    expect(redis).toContain('or set TEST_REDIS_URL');

    // Every test that ran passed: the two service suites failed as a whole, not test by test.
    expect(run.output).toMatch(/Test Suites: +2 failed, 1 passed, 3 total/);
    expect(run.output).toMatch(/Tests: +\d+ passed, \d+ total/);
    // Short: one line per suite that could not run, then jest's summary (the old code printed about 700 here).
    expect(run.output.match(/ECONNREFUSED/g)).toHaveLength(2);
    expect(run.output.split('\n').length).toBeLessThan(30);
  });
});
