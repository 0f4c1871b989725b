/**
 * Slicing one run into disjoint parts: worker threads now (`--workers N`), shards of a
 * distributed run later (`--shard i/N`), the same rule for both. Part k of n takes
 *
 * - the arrivals with global index i ≡ k (mod n) of the one global schedule, so together the
 *   parts make exactly the asked rate, interleaved, and no arrival twice;
 * - every n-th user from k (users u ≡ k mod n): no two parts log in as the same user (POP3
 *   locks, IMAP mailbox state, e2e mailbox watchers stay per part);
 * - an even share of concurrency and of a closed loop's iteration budget (the first
 *   `total mod n` parts take one more).
 *
 * A shard split over worker threads (`--shard k/N --workers W`) is part k of N cut into W:
 * thread w takes part k + N·w of N·W (subSlice). The threads of shard k together take
 * exactly shard k's arrivals and users (i ≡ k + N·w (mod N·W) for some w ⇔ i ≡ k (mod N)),
 * and their shares add up to shard k's share: with T = q·N·W + r, Σ_w share(k + N·w) =
 * q·W + #{w : k + N·w < r} = ⌊T/N⌋ + [k < T mod N]. So N machines × W threads make the load
 * of one run, whatever N and W.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { Slice } from './types.js';

export function checkSlice(slice: Slice): void {
  if (!Number.isInteger(slice.count) || slice.count < 1 || !Number.isInteger(slice.index) || slice.index < 0 || slice.index >= slice.count) {
    throw new MailprobeError('ECONFIG', `slice ${slice.index}/${slice.count} is not a part k of n with 0 <= k < n`);
  }
}

/** This part's share of `total` (concurrency, closed-loop iterations). */
export function shareOf(total: number, slice: Slice): number {
  return Math.floor(total / slice.count) + (slice.index < total % slice.count ? 1 : 0);
}

/** This part's users: every n-th from k. */
export function usersOf<T>(users: readonly T[], slice: Slice): T[] {
  return users.filter((_, u) => u % slice.count === slice.index);
}

/** Whether global arrival `i` belongs to this part. */
export function ownsArrival(i: number, slice: Slice): boolean {
  return i % slice.count === slice.index;
}

/** Part `inner` of part `outer`: part outer.index + outer.count × inner.index of outer.count × inner.count. */
export function subSlice(outer: Slice, inner: Slice): Slice {
  checkSlice(outer);
  checkSlice(inner);
  return { index: outer.index + outer.count * inner.index, count: outer.count * inner.count };
}
