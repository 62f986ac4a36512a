// Which statements the PostgreSQL pool names (prepared-names.ts): a text on its second call, under a name
// that is the same in every replica; never a one-off or an oversized text; no new names once the cap is
// reached. And the switch that turns naming off behind a pooler that cannot carry it.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';
import { preparedNames } from '../../subgraph/retrieval/store/prepared-names';

describe('prepared statement names', () => {
  it('names a text on its second call, and keeps that name', () => {
    const nameOf = preparedNames();
    const text = 'SELECT id FROM ai.jobs WHERE tenant_id = $1';
    expect(nameOf(text)).toBeUndefined();
    const name = nameOf(text);
    expect(name).toMatch(/^ai_[\w-]{40}$/);
    expect(Buffer.byteLength(name ?? '')).toBeLessThanOrEqual(63);
    expect(nameOf(text)).toBe(name);
  });

  it('gives the same text the same name in another process, and another text another name', () => {
    const one = preparedNames();
    const other = preparedNames();
    for (const nameOf of [one, other]) for (const text of ['SELECT 1', 'SELECT 2']) nameOf(text);
    expect(one('SELECT 1')).toBe(other('SELECT 1'));
    expect(one('SELECT 1')).not.toBe(one('SELECT 2'));
  });

  it('never names a text longer than 16 KiB', () => {
    const nameOf = preparedNames();
    const long = `SELECT 1 ${'-'.repeat(16_384)}`;
    for (let call = 0; call < 3; call += 1) expect(nameOf(long)).toBeUndefined();
  });

  it('names no new text once the cap is reached, and the named ones keep their names', () => {
    const nameOf = preparedNames(2);
    const named = ['SELECT 1', 'SELECT 2'].map((text) => (nameOf(text), nameOf(text)));
    expect(named.every((name) => name !== undefined)).toBe(true);
    for (let call = 0; call < 3; call += 1) expect(nameOf('SELECT 3')).toBeUndefined();
    expect(nameOf('SELECT 1')).toBe(named[0]);
  });

  it('is on by default, and DATABASE_PREPARED_STATEMENTS=false turns it off', () => {
    expect(loadConfig({}).store.preparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).store.preparedStatements).toBe(false);
  });

  it('refuses DATABASE_PREPARED_STATEMENTS=maybe, naming the variable', () => {
    const load = () => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'maybe' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_PREPARED_STATEMENTS.*expects true or false/);
  });
});
