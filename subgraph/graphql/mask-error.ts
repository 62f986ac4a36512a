// Errors raised on purpose (auth, bad input, invalid operations) reach the client as they are; anything else
// is a bug, logged (what the logger's err serializer keeps of it, never tenant text) and masked to
// INTERNAL_SERVER_ERROR so no internals leak.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { InputError } from '../errors/input-error';
import { JobLimitError } from '../errors/job-limit-error';
import { JobNotFoundError } from '../errors/job-not-found-error';
import type { Logger } from '../observability/logger';

const PASS_THROUGH = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // graphql-ws: a new operation on a connection of a draining replica (ws-drain.ts).
  'SHUTTING_DOWN',
]);

export function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (InputError.isInstance(original)) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', field: original.field },
      };
    }
    if (JobLimitError.isInstance(original)) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'JOB_LIMIT_EXCEEDED', limit: original.limit, max: original.max },
      };
    }
    if (JobNotFoundError.isInstance(original)) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'NOT_FOUND' },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASS_THROUGH.has(code)) return formatted;
    logger.error({ err: original, path: formatted.path }, 'unexpected error masked');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
