// Every environment variable the subgraph reads, in one zod schema: a bad value stops the start with one
// line naming the variable and what it expects, instead of failing later mid-request.
import { z } from 'zod';
import { ConfigError } from './errors/config-error';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const optionalUrl = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value))
  .pipe(z.url({ message: 'expects an absolute URL' }).optional());

function integer(defaultValue: number, min: number, max: number) {
  return z.coerce
    .number({ message: `expects an integer between ${min} and ${max}` })
    .int({ message: `expects an integer between ${min} and ${max}` })
    .min(min, { message: `expects an integer between ${min} and ${max}` })
    .max(max, { message: `expects an integer between ${min} and ${max}` })
    .default(defaultValue);
}

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { message: 'expects development, test or production' })
    .default('development'),
  PORT: integer(4001, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expects fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),

  AUTH_JWT_SECRET: optionalString.pipe(
    z.string().min(32, { message: 'expects at least 32 characters (HS256 secret)' }).optional(),
  ),
  AUTH_PUBLIC_KEY: optionalString.pipe(
    z
      .string()
      .includes('-----BEGIN PUBLIC KEY-----', {
        message: 'expects a PEM public key (-----BEGIN PUBLIC KEY-----)',
      })
      .optional(),
  ),
  AUTH_JWKS_URL: optionalUrl,
  AUTH_ISSUER: optionalString,
  AUTH_AUDIENCE: optionalString,
  AUTH_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
  AUTH_ALGORITHMS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(',').map((part) => part.trim()))
      .pipe(
        z.array(
          z.enum(JWT_ALGORITHMS, {
            message: `expects a comma-separated list of ${JWT_ALGORITHMS.join(', ')}`,
          }),
        ),
      )
      .optional(),
  ),
  AUTH_CLOCK_TOLERANCE_SECONDS: integer(5, 0, 30),

  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'expects a postgres:// or postgresql:// URL' })
      .optional(),
  ),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'expects a lowercase SQL identifier' })
    .default('ai'),
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'expects a lowercase SQL identifier' })
    .default('ai_subgraph_app'),
  DATABASE_POOL_SIZE: integer(10, 1, 200),
  DATABASE_FTS_LEAKPROOF: z
    .enum(['true', 'false'], { message: 'expects true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, { message: 'expects a redis:// or rediss:// URL' })
      .optional(),
  ),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  OPENAI_SMALL_MODEL: z.string().min(1).default('gpt-4.1-nano'),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  ANTHROPIC_SMALL_MODEL: z.string().min(1).default('claude-haiku-4-5'),
  SELFHOSTED_BASE_URL: optionalUrl,
  SELFHOSTED_MODEL: z.string().min(1).default('llama3.1:8b'),
  SELFHOSTED_API_KEY: optionalString,
  SELFHOSTED_EMBEDDING_MODEL: optionalString,
  GATEWAY_ROUTES_FILE: optionalString,
  GATEWAY_ROUTES_JSON: optionalString,
  MODEL_PRICES_JSON: optionalString,
  PROMPT_VERSIONS: optionalString,
  DEADLINE_MS: integer(8_000, 100, 120_000),
  ATTEMPT_TIMEOUT_MS: integer(5_000, 50, 120_000),
  STREAM_MAX_MS: integer(120_000, 1_000, 600_000),
  RETRY_MAX_ATTEMPTS: integer(2, 1, 10),
  RETRY_BASE_DELAY_MS: integer(100, 1, 10_000),
  RETRY_MAX_DELAY_MS: integer(2_000, 1, 60_000),
  CIRCUIT_CONSECUTIVE_FAILURES: integer(5, 1, 1_000),
  CIRCUIT_FAILURE_RATE: z.coerce
    .number({ message: 'expects a number between 0.01 and 1' })
    .min(0.01, { message: 'expects a number between 0.01 and 1' })
    .max(1, { message: 'expects a number between 0.01 and 1' })
    .default(0.5),
  CIRCUIT_RATE_WINDOW: integer(20, 2, 10_000),
  CIRCUIT_COOLDOWN_MS: integer(30_000, 10, 3_600_000),
  SMALL_MODEL_MAX_INPUT_CHARS: integer(4_000, 0, 10_000_000),
  CACHE_TTL_SUMMARIZE_SECONDS: integer(86_400, 0, 30 * 86_400),
  CACHE_TTL_ANSWER_SECONDS: integer(3_600, 0, 30 * 86_400),
  CACHE_STALE_GRACE_SECONDS: integer(86_400, 0, 30 * 86_400),
  CACHE_MAX_ENTRIES: integer(10_000, 0, 10_000_000),
  SEARCH_CACHE_ENTRIES: integer(5_000, 0, 1_000_000),
  MAX_REQUEST_BYTES: integer(2_000_000, 1_000, 50_000_000),
  MAX_QUERY_DEPTH: integer(10, 2, 50),
  MAX_QUERY_COST: integer(5_000, 10, 1_000_000),
  MAX_QUERY_ALIASES: integer(10, 0, 1_000),
  CHUNK_MAX_CHARS: integer(1_200, 200, 20_000),
  CHUNK_OVERLAP_CHARS: integer(200, 0, 5_000),
  SUMMARY_DEFAULT_WORDS: integer(120, 10, 1_000),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 120_000),
});

export type Env = z.infer<typeof envSchema>;

export type AuthKeySource =
  | { kind: 'secret'; secret: string; development: boolean }
  | { kind: 'public-key'; pem: string }
  | { kind: 'jwks'; url: string };

export interface Config {
  env: Env;
  production: boolean;
  auth: {
    key: AuthKeySource;
    issuer?: string;
    audience?: string;
    tenantClaim: string;
    algorithms?: string[];
    clockToleranceSeconds: number;
  };
}

// Known only to development mode: a deployment without auth configured refuses to start in production.
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-never-use-in-production-0123456789';
export const DEVELOPMENT_ISSUER = 'ai-subgraph-development';

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    const given = issue ? source[String(issue.path[0])] : undefined;
    const shown =
      given === undefined || /SECRET|KEY|PASSWORD|TOKEN|URL/i.test(variable) ? '' : ` (got "${given}")`;
    throw new ConfigError(`${variable} ${issue?.message ?? 'is invalid'}${shown}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  const sources = [env.AUTH_JWT_SECRET, env.AUTH_PUBLIC_KEY, env.AUTH_JWKS_URL].filter(
    (value) => value !== undefined,
  );
  if (sources.length > 1) {
    throw new ConfigError(
      'AUTH_JWT_SECRET, AUTH_PUBLIC_KEY and AUTH_JWKS_URL are exclusive: set exactly one',
    );
  }
  if (env.CHUNK_OVERLAP_CHARS * 2 >= env.CHUNK_MAX_CHARS) {
    throw new ConfigError('CHUNK_OVERLAP_CHARS expects less than half of CHUNK_MAX_CHARS');
  }
  let key: AuthKeySource;
  if (env.AUTH_JWT_SECRET) key = { kind: 'secret', secret: env.AUTH_JWT_SECRET, development: false };
  else if (env.AUTH_PUBLIC_KEY) key = { kind: 'public-key', pem: env.AUTH_PUBLIC_KEY };
  else if (env.AUTH_JWKS_URL) key = { kind: 'jwks', url: env.AUTH_JWKS_URL };
  else if (production) {
    throw new ConfigError(
      'AUTH_JWT_SECRET, AUTH_PUBLIC_KEY or AUTH_JWKS_URL expects a value when NODE_ENV=production',
    );
  } else key = { kind: 'secret', secret: DEVELOPMENT_JWT_SECRET, development: true };
  // A shared identity provider signs tokens for many APIs with one key: without iss and aud checks, a token
  // minted for another API that happens to carry the tenant claim would be accepted here.
  if (production && key.kind !== 'secret' && (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)) {
    throw new ConfigError(
      `${env.AUTH_ISSUER ? 'AUTH_AUDIENCE' : 'AUTH_ISSUER'} expects a value when NODE_ENV=production with a public key or JWKS`,
    );
  }

  return {
    env,
    production,
    auth: {
      key,
      issuer: env.AUTH_ISSUER ?? (key.kind === 'secret' && key.development ? DEVELOPMENT_ISSUER : undefined),
      audience: env.AUTH_AUDIENCE,
      tenantClaim: env.AUTH_TENANT_CLAIM,
      algorithms: env.AUTH_ALGORITHMS,
      clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
    },
  };
}
