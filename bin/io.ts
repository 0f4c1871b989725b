/** Where a command writes, what it reads from the environment, and its cancellation; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT: runs stop, write a partial report and exit 130. */
  readonly signal?: AbortSignal;
}
