// The subgraph's configuration: loadConfig() reads the environment into typed sections.
export { loadConfig } from './load-config';
export { envSchema, JWT_ALGORITHMS } from './env-schema';
export type { Env } from './env-schema';
export { DEVELOPMENT_ISSUER } from './auth-section';
export { DEVELOPMENT_SECRET_FILE, developmentSecretFile } from './development-secret';
export type * from './sections';
