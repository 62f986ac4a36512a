// The outside services the suites use (PostgreSQL, Redis): where they are, and the check a suite makes before it
// relies on one. jest's global setup (test/support/global-setup.ts) probes each service once, with a short
// timeout, and leaves the answer in the environment; a suite that needs a service says so at its top
// (`requirePostgres()`), and when that service did not answer the whole suite fails at once with one line that
// says what to start, instead of every test waiting on, and printing, its own ECONNREFUSED.
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { Client } from 'pg';

/** PostgreSQL for the suites: a user that may CREATE ROLE and CREATE SCHEMA (the migration makes the app role). */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgresql://root@127.0.0.1:5432/test';
/** Redis for the suites (db 0 unless the URL names another; suites use key prefixes of their own). */
export const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** How long a probe waits for a service to answer: a local service answers in milliseconds. */
const PROBE_TIMEOUT_MS = 2_000;

export type ServiceName = 'postgres' | 'redis';

interface Service {
  label: string;
  url: string;
  variable: string;
  howToStart: string;
  probe(): Promise<void>;
}

const SERVICES: Record<ServiceName, Service> = {
  postgres: {
    label: 'PostgreSQL',
    url: POSTGRES_URL,
    variable: 'TEST_DATABASE_URL',
    howToStart: 'start it (pg_ctlcluster <version> main start; .ci/run does)',
    probe: async () => {
      const client = new Client({
        connectionString: POSTGRES_URL,
        connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  },
  redis: {
    label: 'Redis',
    url: REDIS_URL,
    variable: 'TEST_REDIS_URL',
    howToStart: 'start it (redis-server --daemonize yes; .ci/run does)',
    probe: async () => {
      const redis = connectRedis({ lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS });
      // connect() rejects with "Connection is closed."; the socket's own error says why (ECONNREFUSED ...).
      let cause: unknown;
      redis.on('error', (error) => (cause ??= error));
      try {
        await redis.connect();
        await redis.ping();
      } catch (error) {
        throw cause ?? error;
      } finally {
        // Not on a connection that already ended (refused): ioredis's disconnect would then arm a 2 s
        // disconnectTimeout that no close event ever clears, holding `npm test` without Redis open after its
        // last suite (jest: "did not exit one second after the test run has completed").
        if (redis.status !== 'end') redis.disconnect();
      }
    },
  },
};

/**
 * A Redis client for a test that gives up instead of reconnecting forever: a test that meets a Redis gone away
 * fails, and leaves no reconnect timer behind to keep jest from exiting.
 */
export function connectRedis(options: RedisOptions = {}): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null, ...options });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * A client of the suites' Redis, connected before it returns, whose commands fail at once instead of being
 * retried (a missing Redis fails the test loudly rather than hanging it): a suite's own, or a second
 * connection standing for another replica.
 */
export async function connectedRedis(): Promise<Redis> {
  const redis = connectRedis({ lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  return redis;
}

/** The URL with any password left out, fit for a message. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

/** Probes one service; the reason it did not answer, or null when it did. */
export async function probeService(name: ServiceName): Promise<string | null> {
  try {
    await SERVICES[name].probe();
    return null;
  } catch (error) {
    return firstLine(error) || 'no answer';
  }
}

/** The one line a suite fails with when `name` did not answer. */
export function missingServiceMessage(name: ServiceName, reason: string): string {
  const service = SERVICES[name];
  return `${service.label} is not answering at ${shown(service.url)} (${reason}): ${service.howToStart} or set ${service.variable}`;
}

/** Where the global setup leaves each probe's answer for the suites ('' when the service answered). */
export const probeVariable = (name: ServiceName): string => `TEST_SERVICE_DOWN_${name.toUpperCase()}`;

/** An error that prints as its message alone: the line says everything, a stack would only add noise. */
class ServiceMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceMissing';
    this.stack = message;
  }
}

function requireService(name: ServiceName): void {
  const reason = process.env[probeVariable(name)];
  // Not probed (jest run without this project's config): the suite meets the service, or its absence, itself.
  if (!reason) return;
  throw new ServiceMissing(missingServiceMessage(name, reason));
}

/** Fails the calling suite (call it at the top of the file) or test with one line when PostgreSQL is away. */
export function requirePostgres(): void {
  requireService('postgres');
}

/** Fails the calling suite (call it at the top of the file) or test with one line when Redis is away. */
export function requireRedis(): void {
  requireService('redis');
}
