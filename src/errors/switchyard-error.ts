/**
 * @module The error type every Switchyard module throws, and its plain-data form, which is what
 * gets stored in execution records, printed by the CLI and returned by the API.
 */
import { type ErrorCode, errorInfo } from './codes.ts';

/** An error as data: safe to serialise, store and show. */
export interface ErrorData {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** Where the problem is, e.g. `nodes[3].params.url`. */
  readonly path?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: ErrorData;
}

export interface SwitchyardErrorOptions {
  readonly hint?: string;
  readonly path?: string;
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
  /** Overrides the code's default retry behaviour for this one error. */
  readonly retryable?: boolean;
}

export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchyardError';
    this.code = code;
    this.hint = options.hint ?? errorInfo(code).hint;
    this.path = options.path;
    this.details = options.details;
    this.retryable = options.retryable ?? errorInfo(code).retryable;
  }

  toData(): ErrorData {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.cause === undefined ? {} : { cause: toErrorData(this.cause) }),
    };
  }
}

/** Turns anything thrown into error data; foreign errors get SY_NODE_FAILED and keep their message. */
export function toErrorData(thrown: unknown): ErrorData {
  if (thrown instanceof SwitchyardError) return thrown.toData();
  if (thrown instanceof Error) {
    return {
      code: 'SY_NODE_FAILED',
      message: thrown.message || thrown.name,
      ...(thrown.cause === undefined ? {} : { cause: toErrorData(thrown.cause) }),
    };
  }
  return { code: 'SY_NODE_FAILED', message: String(thrown) };
}

/** Whether retrying after this error can help. Unknown errors are assumed transient. */
export function isRetryable(thrown: unknown): boolean {
  if (thrown instanceof SwitchyardError) return thrown.retryable;
  return true;
}
