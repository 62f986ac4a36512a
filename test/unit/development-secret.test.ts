// The development secret as loadConfig resolves it, for the server and `npm run token` alike: random, kept in
// DATA_DIR with mode 0600 and reused, a new one per load with DATA_DIR=:memory:, never in production; and
// HOST's default by mode.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVELOPMENT_SECRET_FILE, loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

const dataDirs: string[] = [];
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-subgraph-secret-'));
  dataDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function secretOf(env: Record<string, string>): string {
  const { key } = loadConfig(env).auth;
  expect(key).toMatchObject({ kind: 'secret', development: true });
  return key.kind === 'secret' ? key.secret : '';
}

describe('the development secret is random per DATA_DIR, not a constant in the source', () => {
  it('is created on first load as 32 random bytes in DATA_DIR/dev-signing-secret, mode 0600, and reused after', () => {
    const dataDir = join(freshDataDir(), 'not-yet-made');
    const first = secretOf({ DATA_DIR: dataDir });
    const file = join(dataDir, DEVELOPMENT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(secretOf({ DATA_DIR: dataDir })).toBe(first);
  });

  it('differs between two DATA_DIRs, and between two loads with DATA_DIR=:memory:', () => {
    expect(secretOf({ DATA_DIR: freshDataDir() })).not.toBe(secretOf({ DATA_DIR: freshDataDir() }));
    expect(secretOf({ DATA_DIR: ':memory:' })).not.toBe(secretOf({ DATA_DIR: ':memory:' }));
  });

  it('is the one a file already in DATA_DIR holds, and a file too short for one is a ConfigError naming DATA_DIR', () => {
    const dataDir = freshDataDir();
    const kept = 'k'.repeat(40);
    writeFileSync(join(dataDir, DEVELOPMENT_SECRET_FILE), `${kept}\n`, { mode: 0o600 });
    expect(secretOf({ DATA_DIR: dataDir })).toBe(kept);

    writeFileSync(join(dataDir, DEVELOPMENT_SECRET_FILE), 'short\n');
    const load = () => loadConfig({ DATA_DIR: dataDir });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^DATA_DIR: .*dev-signing-secret expects a development secret/);
  });

  it('is neither used nor written when AUTH_JWT_SECRET is set, nor in production', () => {
    const dataDir = freshDataDir();
    const configured = loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: 's'.repeat(32) }).auth.key;
    expect(configured).toEqual({ kind: 'secret', secret: 's'.repeat(32), development: false });
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => statSync(join(dataDir, DEVELOPMENT_SECRET_FILE))).toThrow(/ENOENT/);
  });
});

describe('HOST defaults to 127.0.0.1 in development mode and 0.0.0.0 in production', () => {
  const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 's'.repeat(32) };

  it.each([
    ['development', '127.0.0.1', { DATA_DIR: ':memory:' }],
    ['NODE_ENV=test', '127.0.0.1', { NODE_ENV: 'test', DATA_DIR: ':memory:' }],
    ['production', '0.0.0.0', production],
    ['development with HOST=0.0.0.0', '0.0.0.0', { DATA_DIR: ':memory:', HOST: '0.0.0.0' }],
    ['production with HOST=10.0.0.5', '10.0.0.5', { ...production, HOST: '10.0.0.5' }],
  ])('%s listens on %s', (_mode, host, env) => {
    expect(loadConfig(env).server.host).toBe(host);
  });
});
