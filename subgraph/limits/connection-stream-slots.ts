// The streams one graphql-ws connection may hold open at once. A counter in memory is enough: a connection
// lives on one replica, and its slots go with it.
export interface ConnectionStreamSlots {
  readonly max: number;
  /** Takes a slot and hands back its release (safe to call twice); null when every slot is taken. */
  take(): (() => void) | null;
}

export function connectionStreamSlots(max: number): ConnectionStreamSlots {
  let held = 0;
  return {
    max,
    take() {
      if (held >= max) return null;
      held++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held--;
      };
    },
  };
}
