/** @module The code sandbox port: what the workflow `code` node asks of any sandbox implementation. */

export interface CodeLimits {
  /** Wall-clock time for one run, from the moment it starts (time spent queued is not counted). */
  timeoutMs: number;
  /** Heap of the run's JavaScript runtime, input and result included. */
  memoryBytes: number;
  /** Interpreter stack; implementations may cap it (see `maxCodeStackBytes`). */
  maxStackBytes: number;
  /** Size of the result as UTF-8 JSON. */
  maxOutputBytes: number;
}

export type CodeLogLevel = 'log' | 'info' | 'warn' | 'error';

export interface CodeRunRequest {
  /** The body of an async function: `input` is in scope, `await` is allowed, `return` gives the result. */
  source: string;
  /** JSON data, copied into the run. */
  input: unknown;
  /** JSON data bound as read-only globals besides `input`, e.g. `nodes`, `trigger`, `loop`. */
  globals?: Readonly<Record<string, unknown>>;
  limits?: Partial<CodeLimits>;
  /** Aborting ends the run with SY_CODE_TIMEOUT and `details.reason = 'aborted'`. */
  signal?: AbortSignal;
  /** Receives `console.*` output of the code, truncated, in order, before `run` settles. */
  onLog?: (level: CodeLogLevel, message: string) => void;
}

export interface CodeSandbox {
  /** Resolves with the code's JSON result (`undefined` becomes `null`); rejects with a SwitchyardError. */
  run(request: CodeRunRequest): Promise<unknown>;
  dispose(): void;
}

const MiB = 1024 * 1024;

export const defaultCodeLimits: CodeLimits = Object.freeze({
  timeoutMs: 1000,
  memoryBytes: 32 * MiB,
  maxStackBytes: 256 * 1024,
  maxOutputBytes: 1 * MiB,
});
