/** @module The CLI's exit codes: scripts tell success, an invalid workflow and a failed execution apart. */
export const ExitCode = {
  ok: 0,
  /** The workflow file does not parse or does not validate. */
  invalidWorkflow: 1,
  /** The workflow ran and failed, timed out or was cancelled. */
  executionFailed: 2,
  /** The command line or the environment's settings are wrong (EX_USAGE). */
  usage: 64,
  /** The database is locked by another process, unreachable, or newer than this release (EX_UNAVAILABLE). */
  unavailable: 69,
} as const;
