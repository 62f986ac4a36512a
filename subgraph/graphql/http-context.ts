// The GraphQL context of an HTTP request. No Authorization header is an anonymous context (the router's
// `_service` query needs none; requireAuthenticationPlugin refuses anything else); a header that does not
// verify is refused outright with UNAUTHENTICATED and HTTP 401, never downgraded to anonymous.
import type { IncomingMessage } from 'node:http';
import type { TenantContext } from '../auth/tenant-context';
import { unauthenticatedError } from '../errors/graphql-errors';

export function httpContext<TContext>(options: {
  /** Resolves an Authorization header into a tenant; rejects when it is malformed or does not verify. */
  authenticate(authorization: string): Promise<TenantContext>;
  context(tenant: TenantContext | null): TContext;
}): (args: { req: IncomingMessage }) => Promise<TContext> {
  return async ({ req }) => {
    const header = req.headers.authorization;
    if (header === undefined) return options.context(null);
    let tenant: TenantContext;
    try {
      tenant = await options.authenticate(header);
    } catch {
      throw unauthenticatedError();
    }
    return options.context(tenant);
  };
}
