// Development mode as an operator meets it (node subgraph/main.ts without NODE_ENV and AUTH_*): the signing
// secret is random per DATA_DIR and kept there, never the constant the source once carried; DATA_DIR=:memory:
// prints a ready development token; a minted token ingests and searches; and the server listens on 127.0.0.1
// unless HOST says otherwise.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../../subgraph/auth/mint-token';
import { DEVELOPMENT_ISSUER, DEVELOPMENT_SECRET_FILE } from '../../subgraph/config';
import { runTsxScript, spawnSubgraph } from '../support/spawn-subgraph';
import type { ChildEnv, SpawnedSubgraph } from '../support/spawn-subgraph';
import { gql } from '../support/subgraph';
import { tokenFor } from '../support/tokens';

// Each start runs migrations in a fresh process; on a loaded machine a test with two starts takes a while.
jest.setTimeout(150_000);

/** The development secret every copy of this subgraph shared before it became random per DATA_DIR. */
const FORMER_CONSTANT_SECRET = 'development-only-secret-never-use-in-production-0123456789';
const USAGE = '{ usage { tenantId } }';
// No NODE_ENV, no AUTH_*, no HOST (which spawnSubgraph would otherwise pin to 127.0.0.1): what a deployment
// that forgot them runs.
const FORGOTTEN = { HOST: undefined, LOG_LEVEL: 'info' };

const dataDirs: string[] = [];
const running: SpawnedSubgraph[] = [];

function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-subgraph-dev-'));
  dataDirs.push(dir);
  return dir;
}

async function start(env: ChildEnv): Promise<SpawnedSubgraph> {
  const subgraph = await spawnSubgraph({ ...FORGOTTEN, ...env });
  running.push(subgraph);
  return subgraph;
}

async function stop(subgraph: SpawnedSubgraph): Promise<void> {
  subgraph.child.kill('SIGTERM');
  await subgraph.waitForExit();
}

afterAll(async () => {
  await Promise.allSettled(running.map((subgraph) => subgraph.kill()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function logLines(subgraph: SpawnedSubgraph): Record<string, unknown>[] {
  return subgraph
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function npmRunToken(env: Record<string, string>): Promise<string> {
  const minted = await runTsxScript(
    'scripts/token.ts',
    ['--tenant', 'acme', '--scope', 'ai:ingest ai:admin'],
    env,
  );
  expect(minted).toMatchObject({ code: 0, stderr: '' });
  return minted.stdout.trim();
}

async function usageStatus(subgraph: SpawnedSubgraph, token: string): Promise<number> {
  const response = await gql<{ usage: { tenantId: string } }>(subgraph.url, USAGE, { token });
  if (response.status === 200) expect(response.body.data?.usage.tenantId).toBe('acme');
  return response.status;
}

// Starting a replica is most of this suite's time, so the tests share them: one replica on a fresh DATA_DIR (then
// a second start on the same folder), and two on :memory: started side by side, one with HOST=0.0.0.0.

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks } }`;
const SEARCH = `query($q: String!) {
  search(input: { query: $q, limit: 5 }) { __typename ... on DegradedSearchResults { hits { documentId } } }
}`;

describe('the development signing secret is random per DATA_DIR, not a constant in the source', () => {
  const env = { DATA_DIR: '' };
  let first: SpawnedSubgraph;
  let token: string;

  beforeAll(async () => {
    env.DATA_DIR = freshDataDir();
    first = await start(env);
    token = await npmRunToken(env);
  });

  it('a dev subgraph on a fresh DATA_DIR refuses a token signed with the former constant secret and accepts `npm run token`’s', async () => {
    const forged = await mintToken({
      secret: FORMER_CONSTANT_SECRET,
      tenantId: 'acme',
      scopes: ['ai:admin'],
      issuer: DEVELOPMENT_ISSUER,
    });
    expect(await usageStatus(first, forged)).toBe(401);
    expect(await usageStatus(first, token)).toBe(200);
    // A token from any other secret is refused too: development mode verifies, it does not trust.
    expect(await usageStatus(first, await tokenFor('acme'))).toBe(401);

    // The secret is 32 random bytes in DATA_DIR, readable by its owner only.
    const file = join(env.DATA_DIR, DEVELOPMENT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url')).toHaveLength(32);
    const warning = logLines(first).find((line) => /^development mode/.test(String(line.msg)));
    expect(warning).toMatchObject({ level: 40, developmentSecretFile: file });
    expect(first.stdout()).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('the minted token ingests and searches', async () => {
    const ingested = await gql(first.url, INGEST, {
      token,
      variables: {
        input: { id: 'dev-1', title: 'Dev notes', body: 'The staging cluster rotates its keys weekly.' },
      },
    });
    expect(ingested.status).toBe(200);
    expect(ingested.body).toEqual({ data: { ingestDocument: { documentId: 'dev-1', chunks: 1 } } });
    const found = await gql<{ search: unknown }>(first.url, SEARCH, {
      token,
      variables: { q: 'staging keys' },
    });
    expect(found.body.data?.search).toMatchObject({ hits: [{ documentId: 'dev-1' }] });
  });

  it('two starts on the same DATA_DIR keep the same secret: a token minted for the first works on the second', async () => {
    const secret = readFileSync(join(env.DATA_DIR, DEVELOPMENT_SECRET_FILE), 'utf8');
    await stop(first);

    const second = await start(env);
    expect(await usageStatus(second, token)).toBe(200);
    expect(readFileSync(join(env.DATA_DIR, DEVELOPMENT_SECRET_FILE), 'utf8')).toBe(secret);
  });

  it('a production start without AUTH_* still refuses, and prints no token nor writes a secret', async () => {
    const dataDir = freshDataDir();
    await expect(spawnSubgraph({ NODE_ENV: 'production', DATA_DIR: dataDir })).rejects.toThrow(
      /AUTH_JWT_SECRET/,
    );
    expect(() => statSync(join(dataDir, DEVELOPMENT_SECRET_FILE))).toThrow(/ENOENT/);
  });
});

describe('DATA_DIR=:memory: and HOST', () => {
  // `local` leaves HOST unset (the development default); `open` asks for every address.
  let local: SpawnedSubgraph;
  let open: SpawnedSubgraph;

  beforeAll(async () => {
    [local, open] = await Promise.all([
      start({ DATA_DIR: ':memory:' }),
      start({ DATA_DIR: ':memory:', HOST: '0.0.0.0' }),
    ]);
  });

  it('with DATA_DIR=:memory: the start log prints a working development token, new each start', async () => {
    const developmentTokenOf = (subgraph: SpawnedSubgraph) => {
      const line = logLines(subgraph).find((entry) => typeof entry.developmentToken === 'string');
      expect(line).toMatchObject({ level: 40, tenant: 'acme', scopes: ['ai:ingest', 'ai:admin'] });
      expect(String(line?.msg)).toMatch(/DEVELOPMENT token/);
      return String(line?.developmentToken);
    };
    const localToken = developmentTokenOf(local);
    expect(await usageStatus(local, localToken)).toBe(200);
    expect(await usageStatus(open, developmentTokenOf(open))).toBe(200);
    expect(await usageStatus(open, localToken)).toBe(401);

    // `npm run token` cannot know a per-start secret, and says so instead of printing a useless token.
    const minted = await runTsxScript('scripts/token.ts', ['--tenant', 'acme'], { DATA_DIR: ':memory:' });
    expect(minted.code).toBe(1);
    expect(minted.stdout).toBe('');
    expect(minted.stderr).toMatch(/DATA_DIR=:memory:.*start log/);
  });

  // 127.0.0.2 is this machine too (all of 127/8 is loopback on Linux), but not the address 127.0.0.1 binds.
  const healthAt = (address: string, port: number) =>
    fetch(`http://${address}:${port}/healthz`).then(
      (response) => response.status,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );

  it('the dev server binds 127.0.0.1 only: another local address is refused, and HOST=0.0.0.0 opens it', async () => {
    expect(logLines(local).find((line) => line.msg === 'subgraph listening')).toMatchObject({
      address: '127.0.0.1',
    });
    expect(await healthAt('127.0.0.1', local.port)).toBe(200);
    expect(await healthAt('127.0.0.2', local.port)).toBe('ECONNREFUSED');

    expect(logLines(open).find((line) => line.msg === 'subgraph listening')).toMatchObject({
      address: '0.0.0.0',
    });
    expect(await healthAt('127.0.0.2', open.port)).toBe(200);
  });
});
