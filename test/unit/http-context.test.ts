// The HTTP context factory with the real authenticate and jose verifier: no Authorization header is an
// anonymous context, a valid bearer token is its tenant, and any header that does not verify is refused with
// UNAUTHENTICATED and HTTP 401 rather than served anonymously.
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { authenticate } from '../../subgraph/auth/authenticate';
import type { TenantContext } from '../../subgraph/auth/tenant-context';
import { httpContext } from '../../subgraph/graphql/http-context';
import { createLogger } from '../../subgraph/observability/logger';
import { signRaw, testTokenVerifier, tokenFor, validClaims } from '../support/tokens';

const request = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

describe('httpContext', () => {
  let contextFor: (args: { req: IncomingMessage }) => Promise<{ tenant: TenantContext | null }>;

  beforeAll(async () => {
    const verify = await testTokenVerifier();
    const logger = createLogger('silent');
    contextFor = httpContext({
      authenticate: (authorization) => authenticate(verify, logger, authorization, 'http'),
      context: (tenant) => ({ tenant }),
    });
  });

  async function refusal(authorization: string): Promise<unknown> {
    return contextFor({ req: request(authorization) }).then(
      () => 'accepted',
      (error: unknown) => error,
    );
  }

  function expectUnauthenticated(error: unknown): void {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  }

  it('builds an anonymous context when no Authorization header is sent', async () => {
    expect(await contextFor({ req: request() })).toEqual({ tenant: null });
  });

  it('builds the verified tenant context from a bearer token', async () => {
    const context = await contextFor({ req: request(`Bearer ${await tokenFor('acme')}`) });
    expect(context.tenant).toMatchObject({ tenantId: 'acme', subject: 'user@acme' });
  });

  it('refuses an empty Authorization header instead of serving it anonymously', async () => {
    expectUnauthenticated(await refusal(''));
  });

  it('refuses a token sent without the Bearer scheme', async () => {
    expectUnauthenticated(await refusal(await tokenFor('acme')));
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await signRaw(validClaims('acme'), {
      secret: 'another-secret-that-is-also-long-enough-for-hs256-98765',
    });
    expectUnauthenticated(await refusal(`Bearer ${forged}`));
  });
});
