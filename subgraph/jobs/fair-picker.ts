// Which queued jobs to start next, fairly across tenants: round robin over the tenants with work, one job per
// tenant per turn, oldest first within a tenant, skipping a tenant at its `jobs.maxRunning`, until the free
// worker slots are used. So tenant A's 200 queued jobs take one slot per round like tenant B's single one:
// B waits for at most one of A's. Pure and synchronous: the caller passes a snapshot and the cursor the last
// call returned, and gets the picks and the next cursor; nothing here touches a database or a clock.
//
// The ring is the tenants in id order (code units), and a round starts after the cursor tenant's place in it,
// whether or not that tenant still has work: a tenant that appears or drains between calls changes no other
// tenant's turn.
//
// The engine drives it as recommended below, in job-dispatch.ts (the admission state in the `job_dispatch` table
// of migration 011 rather than an `admitted_at` column, so the dispatcher reads no tenant's content).
//
// How the engine should drive it with pg-boss (RECOMMENDED: admission from the app `jobs` table into ONE
// pg-boss queue):
//   1. `startSummaryJob` inserts the app row as QUEUED (the tenant's `jobs.maxQueued` checked in the same
//      transaction); nothing goes to pg-boss yet. The row is durable, so a queued job survives any restart.
//   2. A dispatcher on every replica (woken by a NOTIFY on insert, a job's end, and a timer) runs one short
//      transaction: take `pg_try_advisory_xact_lock(<dispatch key>)` (one dispatcher at a time over every
//      replica, so two cannot both give tenant A its last running slot; the loser just skips this round);
//      read the heads of the per-tenant queues (`row_number() OVER (PARTITION BY tenant_id ORDER BY
//      created_at, id) <= freeSlots` among QUEUED rows not yet admitted) and the admitted-or-running count
//      per tenant; compute `freeSlots` = worker concurrency minus the engine's jobs ready to fetch now (not
//      every job admitted and not running: one waiting out a retry's backoff is not ready, and must not hold
//      a slot that another tenant's job could run in meanwhile); call
//      `pickFairly`; for each pick, mark the row admitted (`UPDATE … WHERE id = $1 AND admitted_at IS NULL`)
//      and `boss.send('ai-job', { jobId }, { db: <this transaction> })`, so the admission and the pg-boss
//      job commit together or not at all.
//   3. Workers use pg-boss as designed: `boss.work('ai-job', { batchSize: 1 }, …)` with the worker
//      concurrency, `expireInSeconds` from `JOB_DEADLINE_MS`, `retryLimit` / `retryBackoff`, a dead-letter
//      queue. pg-boss's `FOR UPDATE SKIP LOCKED` fetch keeps two replicas off one job; its expiry resumes a
//      killed replica's job; its retries need no new fairness decision (the job was already admitted).
//   Why not one pg-boss queue per tenant (`ai-job-<tenant>`, the picker choosing which queue to `fetch`):
//   pg-boss 10 makes every queue a partition of its job table, so each new tenant means DDL at run time and
//   thousands of tenants mean thousands of tables; its queue names allow only letters, digits, `_` and `-`;
//   `work()` would poll every tenant's queue, so the engine would replace it with its own fetch, complete and
//   fail loop, and the per-tenant running count would need a query over pg-boss's internal tables. Why not
//   steer a single queue's fetch: pg-boss cannot fetch a chosen job, only the next by priority and age.
//   The per-replica cursor is enough: with the advisory lock only one dispatcher picks at a time, and
//   whichever replica it is, A's backlog still gets one slot per round.

export interface FairPickInput {
  /** Queued job ids per tenant, oldest first (the heads are enough: `freeSlots` ids per tenant at most). */
  readonly queued: ReadonlyMap<string, readonly string[]>;
  /** Jobs admitted and not finished per tenant, over every replica; a tenant absent has none. */
  readonly running: ReadonlyMap<string, number>;
  /** Worker slots free now: the worker concurrency less the engine's jobs ready for a runner. */
  readonly freeSlots: number;
  /** The tenant's `jobs.maxRunning`. */
  readonly maxRunning: (tenantId: string) => number;
  /** The cursor the previous call returned; undefined on the first call. */
  readonly after?: string;
}

export interface FairPick {
  readonly tenantId: string;
  readonly jobId: string;
}

export interface FairPickResult {
  /** In the order to start them. */
  readonly picks: readonly FairPick[];
  /** The last tenant served, for the next call's `after` (the given one when nothing was picked). */
  readonly cursor: string | undefined;
}

interface TenantTurn {
  readonly tenantId: string;
  readonly jobs: readonly string[];
  /** The next job of `jobs` to take. */
  next: number;
  /** Slots the tenant may still take, by its maxRunning. */
  room: number;
}

export function pickFairly(input: FairPickInput): FairPickResult {
  let turns = ring(input);
  const picks: FairPick[] = [];
  let cursor = input.after;
  while (picks.length < input.freeSlots && turns.length > 0) {
    for (const turn of turns) {
      if (picks.length >= input.freeSlots) break;
      picks.push({ tenantId: turn.tenantId, jobId: turn.jobs[turn.next]! });
      turn.next += 1;
      turn.room -= 1;
      cursor = turn.tenantId;
    }
    // A tenant out of jobs or of room drops out of the next rounds; the others keep their order.
    turns = turns.filter((turn) => turn.next < turn.jobs.length && turn.room > 0);
  }
  return { picks, cursor };
}

/** The tenants that can take a job now, in id order, starting after `after`. */
function ring(input: FairPickInput): TenantTurn[] {
  const turns: TenantTurn[] = [];
  for (const [tenantId, jobs] of input.queued) {
    const room = input.maxRunning(tenantId) - (input.running.get(tenantId) ?? 0);
    if (jobs.length > 0 && room > 0) turns.push({ tenantId, jobs, next: 0, room });
  }
  turns.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  if (input.after === undefined) return turns;
  const after = input.after;
  const start = turns.findIndex((turn) => turn.tenantId > after);
  return start <= 0 ? turns : [...turns.slice(start), ...turns.slice(0, start)];
}
