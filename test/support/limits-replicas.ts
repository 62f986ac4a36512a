// Replicas of the subgraph as an operator starts them (the real entry point, spawnSubgraph), each with a
// PostgreSQL schema of its own and all sharing the suites' Redis, where the limits they enforce together live:
// for the suites that count what a tenant's rate limit or spend cap lets through across processes.
import { REDIS_URL } from './services';
import { spawnSubgraph } from './spawn-subgraph';
import type { ChildEnv, SpawnedSubgraph } from './spawn-subgraph';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from './stores';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from './subgraph';

export interface LimitsReplicas {
  /** Spawns one more replica with `env` added to its variables; resolves once it is ready. */
  start(env: ChildEnv): Promise<SpawnedSubgraph>;
  /** Kills every replica started and drops their schemas (for afterAll). */
  stopAll(): Promise<void>;
}

/** Replicas whose schemas are named after `schemaPrefix`; call stopAll when done. */
export function limitsReplicas(schemaPrefix: string): LimitsReplicas {
  const running: SpawnedSubgraph[] = [];
  const schemas: string[] = [];
  return {
    async start(env) {
      const schema = uniqueSchemaName(schemaPrefix);
      schemas.push(schema);
      const subgraph = await spawnSubgraph({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        DATABASE_URL: POSTGRES_URL,
        DATABASE_SCHEMA: schema,
        REDIS_URL,
        // A cold process on a loaded machine may take longer than the default 50 ms for its first checks; these
        // suites count admissions, so no check may fall to the failure policy.
        LIMITS_TIMEOUT_MS: '5000',
        ...env,
      });
      running.push(subgraph);
      return subgraph;
    },
    async stopAll() {
      await Promise.allSettled(running.map((subgraph) => subgraph.kill()));
      await Promise.allSettled(schemas.map((schema) => dropPostgresSchema(schema)));
    },
  };
}
