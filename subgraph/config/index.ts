// The subgraph's configuration: loadConfig() reads the environment into typed sections.
export { loadConfig } from './load-config';
export { envSchema, JWT_ALGORITHMS } from './env-schema';
export type { Env } from './env-schema';
export { DEVELOPMENT_ISSUER, DEVELOPMENT_JWT_SECRET } from './auth-section';
export type * from './sections';
