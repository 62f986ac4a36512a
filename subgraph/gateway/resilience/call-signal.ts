// The abort signal of one call: aborted by the first of its sources to abort (with that source's reason), or
// once its time is up (with the TimeoutError AbortSignal.timeout gives), and detached from both by release()
// as soon as the call has settled.
//
// Why not AbortSignal.any and AbortSignal.timeout: Node keeps a timeout signal's timer until it fires, and
// registers weak references and finalizers for both kinds. A call that settled in 50 ms left its timer and
// signal in place until its deadline (two minutes for a background job), and what they hold survived every
// young-generation collection until a full one: a busy replica carried thousands of them, and the scavenges
// that copied them stalled its event loop for longer.

export interface CallSignal {
  readonly signal: AbortSignal;
  /** Stops the timer and the listeners on the sources; the signal keeps whatever state it has. */
  release(): void;
}

const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

export function callSignal(sources: readonly (AbortSignal | undefined)[], timeoutMs?: number): CallSignal {
  const controller = new AbortController();
  const linked = sources.filter((source): source is AbortSignal => source !== undefined);
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(timer);
    for (const source of linked) source.removeEventListener('abort', onSourceAbort);
  };
  function onSourceAbort(this: AbortSignal) {
    release();
    controller.abort(this.reason);
  }
  const aborted = linked.find((source) => source.aborted);
  if (aborted) controller.abort(aborted.reason);
  else if (timeoutMs !== undefined && timeoutMs <= 0) controller.abort(timeoutError());
  else {
    for (const source of linked) source.addEventListener('abort', onSourceAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        release();
        controller.abort(timeoutError());
      }, Math.ceil(timeoutMs));
      // As AbortSignal.timeout's: a pending call's clock does not keep the process alive.
      timer.unref();
    }
  }
  return { signal: controller.signal, release };
}
