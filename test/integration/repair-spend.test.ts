// A primary whose first reply an output rail refused (no citation), so it asked for a repair at the same
// target. The refused reply was paid for and settled against the tenant's spend cap once, by its own
// reservation; the answer must report it and the ledger record it, whatever became of the repair:
// - a hedge answered while the repair was in flight, so the repair was dropped: its reservation settled the
//   refused reply a second time (the limiter read 1,064,000 against the ledger's 795,000 nano-dollars);
// - the repair failed, so the next target answered: the try handed the walk no rejected reply, and the ledger
//   lost it (limiter 544,000 against ledger 275,000; also why the hedged case failed whenever its hedge did
//   not fire in time on a loaded machine).
import { randomBytes } from 'node:crypto';
import { ALBATROSS, PRIMARY, PRIMARY_THEN_SECONDARY, SECONDARY } from '../support/primary-secondary-route';
import { member } from '../support/results';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const PRICES = {
  [`openai:${PRIMARY}`]: { inputPerMillion: 1, outputPerMillion: 2 },
  [`anthropic:${SECONDARY}`]: { inputPerMillion: 1, outputPerMillion: 2 },
};
/** No citation marker: the format rail refuses it, with a repair note. */
const UNCITED = 'They nest on remote oceanic islands.';

/**
 * A subgraph whose answer route is the primary then the secondary with `hedge`, one tenant with a cap (so its
 * calls reserve), the primary always replying UNCITED and the secondary its answer to the albatross guide; and
 * the settled and ledger spend of that tenant, in nano-dollars.
 */
function withRoute(name: string, hedge: false | { afterMs: number }, env: Record<string, string> = {}) {
  const tenant = `${name}-${randomBytes(4).toString('hex')}`;
  const suite = useSpendHarness({
    providers: ['openai', 'anthropic'],
    responder: { openai: () => UNCITED, anthropic: () => ALBATROSS.secondaryAnswer },
    env: { CACHE_TTL_ANSWER_SECONDS: '0', ...env },
    prices: PRICES,
    routes: { tasks: { answer: { chain: PRIMARY_THEN_SECONDARY, hedge } } },
    cappedTenants: [tenant],
  });

  return {
    tenant,
    harness: suite.harness,
    /** What the limiter settled and what the ledger holds, once no reservation is outstanding. */
    async spend() {
      const { settled, ledger } = await suite.spend(tenant);
      return { limiter: settled, ledger };
    },
  };
}

describe('a hedged primary dropped during its repair', () => {
  const setup = withRoute(
    'hedge-repair',
    { afterMs: 100 },
    { ATTEMPT_TIMEOUT_MS: '5000', DEADLINE_MS: '8000' },
  );

  it('settles the rejected reply once against the spend cap: the limiter’s spend equals the ledger’s', async () => {
    const { harness } = setup;
    const client = harness.as(setup.tenant);
    expect((await client.ingest(ALBATROSS.guide)).chunks).toBeGreaterThan(0);
    const before = await setup.spend();
    expect(before.limiter).toBe(before.ledger);
    harness.providers.reset();

    // The primary's first reply comes at once (and is refused); its repair hangs past the hedge's delay.
    harness.providers.openai.faults
      .once({ kind: 'latency', ms: 0 }, { path: CHAT })
      .once({ kind: 'hang' }, { path: CHAT });
    const answer = member(await client.ask('Where do albatrosses nest?'), 'Answer');
    expect(answer).toMatchObject({ text: ALBATROSS.secondaryAnswer, meta: { provider: 'anthropic' } });
    const primaryRequests = await waitFor(
      () => {
        const requests = harness.providers.openai.requests.filter((request) => request.path === CHAT);
        return requests.length === 2 && requests[1]?.closedAt !== undefined ? requests : undefined;
      },
      5_000,
      'the primary’s repair request to close',
    );
    expect(JSON.stringify(primaryRequests[1]?.body)).toContain('Your previous reply could not be used');
    expect(primaryRequests[1]?.aborted).toBe(true);
    expect(harness.providers.anthropic.requestCount(MESSAGES)).toBe(1);

    const after = await setup.spend();
    const limiterSpent = after.limiter - before.limiter;
    const ledgerSpent = after.ledger - before.ledger;
    // The answer reports all it paid for: the refused reply, the aborted repair's prompt, and the winner.
    expect(ledgerSpent).toBe(Math.round(answer.meta.costUsd * 1e9));
    expect(limiterSpent).toBe(ledgerSpent);
  });
});

describe('a primary whose repair fails', () => {
  const setup = withRoute('repair-fails', false);

  it('reports and records the refused reply it paid for: the limiter’s spend equals the ledger’s and the answer’s', async () => {
    const { harness } = setup;
    const client = harness.as(setup.tenant);
    expect((await client.ingest(ALBATROSS.guide)).chunks).toBeGreaterThan(0);
    const before = await setup.spend();
    harness.providers.reset();

    // The primary's first reply is refused (no citation); its repair is refused by the provider (a 400, not
    // retried); the secondary answers.
    harness.providers.openai.faults
      .once({ kind: 'latency', ms: 0 }, { path: CHAT })
      .once({ kind: 'status', status: 400 }, { path: CHAT });
    const answer = member(await client.ask('Where do albatrosses nest?'), 'Answer');
    expect(answer).toMatchObject({ text: ALBATROSS.secondaryAnswer, meta: { provider: 'anthropic' } });
    expect(harness.providers.openai.requests.filter((request) => request.path === CHAT)).toHaveLength(2);

    const after = await setup.spend();
    const limiterSpent = after.limiter - before.limiter;
    const ledgerSpent = after.ledger - before.ledger;
    expect(limiterSpent).toBeGreaterThan(0);
    expect(ledgerSpent).toBe(Math.round(answer.meta.costUsd * 1e9));
    expect(ledgerSpent).toBe(limiterSpent);
  });
});
