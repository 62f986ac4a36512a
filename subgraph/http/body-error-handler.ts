// Express error middleware for what fails before GraphQL runs: a body over the size limit, one that is not
// JSON, or one in a charset or encoding the parser does not read. Clients of a GraphQL endpoint parse `{ errors: [...] }`, so these answer in that shape, not as
// express's HTML page; anything else is a bug, logged and masked.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../observability/logger';

interface BodyParserError {
  status?: number;
  type?: string;
  charset?: string;
  encoding?: string;
}

/** What the client is told for each body-parser failure it caused; none repeats any of the body. */
function clientMessage(error: BodyParserError, maxRequestBytes: number): string {
  switch (error.type) {
    case 'entity.too.large':
      return `Request body exceeds ${maxRequestBytes} bytes`;
    case 'charset.unsupported':
      return `Request body charset "${error.charset ?? ''}" is not supported: send UTF-8`;
    case 'encoding.unsupported':
      return `Content-Encoding "${error.encoding ?? ''}" is not supported: send gzip, deflate or none`;
    case 'request.aborted':
    case 'request.size.invalid':
      return 'Request body ended before its Content-Length';
    default:
      // JSON.parse's own message quotes the body, so a body that does not parse is never described further.
      return 'Request body is not valid JSON';
  }
}

export function bodyErrorHandler(options: { maxRequestBytes: number; logger: Logger }): ErrorRequestHandler {
  return (error: BodyParserError, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error.status === 'number' && error.status < 500 ? error.status : 500;
    const message = status === 500 ? 'Internal server error' : clientMessage(error, options.maxRequestBytes);
    if (status === 500) options.logger.error({ err: error }, 'http request failed');
    res.status(status).json({
      errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  };
}
