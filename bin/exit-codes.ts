/** The exit codes users script against (DESIGN.md "Verdicts, exit codes"). */
export const EXIT = {
  /** Everything passed. */
  OK: 0,
  /** A check failed, or a finding at or above --fail-on. */
  FAILED: 1,
  /** Bad usage, bad config or suite file. */
  USAGE: 2,
  /** A bench threshold was crossed. */
  THRESHOLD: 3,
  /** The target was unreachable: nothing could be run. */
  UNREACHABLE: 4,
  /** Interrupted (SIGINT). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
