/**
 * @module What passes between the store's thread and the rest of the process: calls of repository
 * methods, their results, and errors rebuilt on arrival so that `instanceof SwitchyardError`, codes
 * and SQLite result codes survive the crossing (structured clone keeps data, not classes).
 */
import type { ErrorCode } from '../../errors/codes.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface StoreThreadOptions {
  readonly file: string;
  readonly synchronous?: 'full' | 'normal';
}

/** `repository` is a Store member (`executions`, …) or `store` for the store's own methods. */
export interface CallMessage {
  readonly id: number;
  readonly repository: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SentError };

/** The first message: the store's shape (its repositories and their methods), or why it did not open. */
export type ReadyMessage =
  | {
      readonly ready: true;
      readonly backend: 'sqlite' | 'postgres';
      readonly shape: Readonly<Record<string, readonly string[]>>;
    }
  | { readonly ready: false; readonly error: SentError };

export interface SentError {
  readonly name: string;
  readonly message: string;
  readonly switchyard?: {
    readonly code: string;
    readonly hint: string;
    readonly path: string | undefined;
    readonly details: Record<string, unknown> | undefined;
    readonly retryable: boolean;
  };
  /** node:sqlite's result codes, which callers read to tell a conflict from a failure. */
  readonly sqlite?: { readonly code?: unknown; readonly errcode?: unknown; readonly errstr?: unknown };
  readonly cause?: SentError;
}

export function sendableError(thrown: unknown): SentError {
  if (!(thrown instanceof Error)) return { name: 'Error', message: String(thrown) };
  const fields = thrown as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
  return {
    name: thrown.name,
    message: thrown.message,
    ...(thrown instanceof SwitchyardError
      ? {
          switchyard: {
            code: thrown.code,
            hint: thrown.hint,
            path: thrown.path,
            details: thrown.details,
            retryable: thrown.retryable,
          },
        }
      : {}),
    ...(fields.errcode === undefined
      ? {}
      : { sqlite: { code: fields.code, errcode: fields.errcode, errstr: fields.errstr } }),
    ...(thrown.cause === undefined ? {} : { cause: sendableError(thrown.cause) }),
  };
}

export function receivedError(sent: SentError): Error {
  const cause = sent.cause ? receivedError(sent.cause) : undefined;
  if (sent.switchyard) {
    return new SwitchyardError(sent.switchyard.code as ErrorCode, sent.message, {
      hint: sent.switchyard.hint,
      ...(sent.switchyard.path === undefined ? {} : { path: sent.switchyard.path }),
      ...(sent.switchyard.details === undefined ? {} : { details: sent.switchyard.details }),
      retryable: sent.switchyard.retryable,
      ...(cause ? { cause } : {}),
    });
  }
  const error = new Error(sent.message, cause ? { cause } : undefined);
  error.name = sent.name;
  return Object.assign(error, sent.sqlite ?? {});
}
