// How many streams a tenant holds open at once, over every replica: each open stream holds a lease, and a
// tenant may hold at most its limit. A replica that dies without releasing its leases must not keep them
// forever, so the shared adapter's leases expire unless the replica holding them keeps refreshing them.
export interface StreamLease {
  /** Gives the slot back; a second call does nothing. */
  release(): Promise<void>;
}

export interface StreamLeases {
  /** One of the tenant's `limit` slots, or null when all of them are held. */
  acquire(tenantId: string, limit: number): Promise<StreamLease | null>;
  /** Stops refreshing: the replica is going away, and what it still holds expires on its own. */
  close(): void;
}

/** Leases in process memory: one replica, nothing to expire, since the counts die with the process. */
export function createMemoryStreamLeases(): StreamLeases {
  const held = new Map<string, number>();
  return {
    acquire(tenantId, limit) {
      const count = held.get(tenantId) ?? 0;
      if (count >= limit) return Promise.resolve(null);
      held.set(tenantId, count + 1);
      let released = false;
      return Promise.resolve({
        release() {
          if (released) return Promise.resolve();
          released = true;
          const left = (held.get(tenantId) ?? 1) - 1;
          if (left > 0) held.set(tenantId, left);
          else held.delete(tenantId);
          return Promise.resolve();
        },
      });
    },
    close() {},
  };
}
