/**
 * Abort callbacks kept per signal in a Set, behind one real listener per signal.
 *
 * A bench run shares one AbortSignal among thousands of connections a second; an
 * EventTarget listener added and removed per connection (and per connect deadline) costs
 * more than the rest of opening the connection's bookkeeping, and the signal's listener list
 * would need its leak warning turned off. Adding to and deleting from a Set costs next to
 * nothing and never warns.
 */
const hooks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Call `fn` once when `signal` aborts; returns the function that unregisters it (idempotent).
 * An already aborted signal is the caller's to check: `fn` would never run.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = hooks.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    hooks.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        hooks.delete(signal);
        // A callback may unregister others (or itself) while they run: run a copy.
        for (const f of [...created]) f();
        created.clear();
      },
      { once: true },
    );
  }
  const own = set;
  // A distinct wrapper per call: the same function registered twice is two registrations.
  const entry = (): void => fn();
  own.add(entry);
  return () => {
    own.delete(entry);
  };
}
