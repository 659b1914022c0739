/** @module Messages between the host and the sandbox worker. Only plain, cloneable data crosses. */
import type { CodeLimits, CodeLogLevel } from './types.ts';

export interface RunJob {
  readonly source: string;
  /** `input` as JSON text: values cross the boundary only as JSON. */
  readonly inputJson: string;
  /** An object of global name → value, as JSON text. */
  readonly globalsJson: string;
  readonly limits: CodeLimits;
}

/** Why a run failed, as the worker saw it; the host turns it into a SwitchyardError. */
export type FailureKind =
  | 'syntax'
  | 'thrown'
  | 'timeout'
  | 'aborted'
  | 'never-settles'
  | 'memory'
  | 'stack'
  | 'output'
  | 'internal';

export interface CodeFailure {
  readonly kind: FailureKind;
  readonly message: string;
  /** The thrown error's `name`, when it was an Error. */
  readonly name?: string;
  /** Trimmed to the user's frames, with lines counted in the user's source. */
  readonly stack?: string;
  readonly line?: number;
  readonly column?: number;
}

export type RunOutcome =
  | { readonly ok: true; readonly json: string }
  | { readonly ok: false; readonly failure: CodeFailure };

export type HostToWorker = {
  readonly type: 'run';
  readonly id: number;
  readonly job: RunJob;
  /** Int32 slot 0 becomes 1 when the host wants the run stopped; read by the interrupt handler. */
  readonly stop: SharedArrayBuffer;
};

export type WorkerToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'log'; readonly id: number; readonly level: CodeLogLevel; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: RunOutcome };
