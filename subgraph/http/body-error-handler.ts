// Express error middleware for what fails before GraphQL runs: a body over the size limit or one that is not
// JSON. Clients of a GraphQL endpoint parse `{ errors: [...] }`, so these answer in that shape, not as
// express's HTML page; anything else is a bug, logged and masked.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../observability/logger';

interface BodyParserError {
  status?: number;
  type?: string;
}

export function bodyErrorHandler(options: { maxRequestBytes: number; logger: Logger }): ErrorRequestHandler {
  return (error: BodyParserError, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error.status === 'number' && error.status < 500 ? error.status : 500;
    const message =
      error.type === 'entity.too.large'
        ? `Request body exceeds ${options.maxRequestBytes} bytes`
        : status === 400
          ? 'Request body is not valid JSON'
          : 'Internal server error';
    if (status === 500) options.logger.error({ err: error }, 'http request failed');
    res.status(status).json({
      errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  };
}
