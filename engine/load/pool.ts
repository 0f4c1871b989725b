/**
 * The session pool of one thread: a fixed number of slots, each holding at most one open
 * session and running at most one iteration at a time. Free slots are a stack, so an arrival
 * takes the slot freed last: its session is the warmest and idle connections stay few.
 */
export class Slot<S> {
  readonly index: number;
  session: S | undefined;
  /** Clock time the current session began opening. */
  sessionStart = 0;
  /** Iterations done on the current session. */
  used = 0;
  /** The scenario was promised that another iteration follows on this session. */
  reserved = false;
  /** The answer to followedBy() for the running iteration, once asked. */
  followed: boolean | undefined;
  /** The IterationInfo handed to the scenario: one object per slot, reused (no per-iteration closure). */
  readonly info: { index: number; last: boolean; followedBy: () => boolean };

  constructor(index: number, followedBy: (slot: Slot<S>) => boolean) {
    this.index = index;
    this.info = { index: 0, last: false, followedBy: () => followedBy(this) };
  }
}

export class SlotPool<S> {
  readonly slots: readonly Slot<S>[];
  readonly #free: Slot<S>[];

  constructor(size: number, followedBy: (slot: Slot<S>) => boolean) {
    this.slots = Array.from({ length: size }, (_, i) => new Slot<S>(i, followedBy));
    // Slot 0 on top: the first arrivals use the lowest slots.
    this.#free = [...this.slots].reverse();
  }

  /** A free slot, or undefined when every slot is busy (the arrival is dropped). */
  acquire(): Slot<S> | undefined {
    return this.#free.pop();
  }

  release(slot: Slot<S>): void {
    this.#free.push(slot);
  }

  get busy(): number {
    return this.slots.length - this.#free.length;
  }
}
