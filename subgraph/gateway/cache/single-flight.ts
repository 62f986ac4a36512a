// Identical requests in flight at once (same tenant, task, prompt and input) share one provider call.
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): { shared: boolean; result: Promise<T> } {
    const existing = this.inFlight.get(key);
    if (existing) return { shared: true, result: existing };
    const result = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return { shared: false, result };
  }

  get size(): number {
    return this.inFlight.size;
  }
}
