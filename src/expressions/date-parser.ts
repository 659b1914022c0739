/**
 * @module Runs `$toMillis` with a picture on one shared worker thread (see date-parse.worker.ts), so
 * that a parse that backtracks for too long is stopped by terminating the thread instead of
 * blocking the process. Requests are answered in order; when one runs out of time the worker is
 * replaced and the requests still waiting are sent to the new one.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/small-young-generation.ts';
import { ExpressionFault } from './fault.ts';

interface Request {
  readonly id: number;
  readonly timestamp: string;
  readonly picture: string;
}

interface Pending {
  readonly request: Request;
  readonly deadline: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

type Reply =
  | { readonly ready: true }
  | { readonly id: number; readonly value?: unknown }
  | { readonly id: number; readonly error: { readonly code?: string; readonly message: string } };

const WORKER_URL = new URL('./date-parse.worker.ts', import.meta.url);

class DateParser {
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  /** Resolves once a worker is running; starting one is not charged to any expression's budget. */
  ready(): Promise<void> {
    if (this.#ready === undefined) this.#start();
    return this.#ready as Promise<void>;
  }

  async parse(timestamp: string, picture: string, deadline: number): Promise<unknown> {
    await this.ready();
    if (Date.now() >= deadline) throw outOfTime();
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        request: { id: this.#nextId++, timestamp, picture },
        deadline,
        resolve,
        reject,
      };
      this.#pending.set(pending.request.id, pending);
      this.#dispatch(pending);
    });
  }

  #start(): void {
    const worker = startWorker(WORKER_URL);
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) resolve();
        else this.#settle(reply);
        this.#holdProcessWhileBusy();
      });
      worker.on('error', (error) => {
        reject(error);
        this.#fail(worker, error);
      });
      worker.on('exit', () => this.#fail(worker, new Error('the date parser thread stopped')));
    });
    // A failed start is reported to whoever awaits ready(); nobody else should see it unhandled.
    this.#ready.catch(() => undefined);
  }

  #dispatch(pending: Pending): void {
    const remaining = Math.max(0, pending.deadline - Date.now());
    pending.timer = setTimeout(() => this.#timeOut(pending), remaining);
    this.#worker?.postMessage(pending.request);
    this.#holdProcessWhileBusy();
  }

  /** An idle thread must not keep the process alive; one that is starting or parsing must. */
  #holdProcessWhileBusy(): void {
    if (this.#pending.size > 0) this.#worker?.ref();
    else this.#worker?.unref();
  }

  #settle(reply: Exclude<Reply, { ready: true }>): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if ('error' in reply) {
      pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    } else {
      pending.resolve(reply.value);
    }
  }

  /** The stuck parse may be this one or one ahead of it: replace the worker and resend the others. */
  #timeOut(timedOut: Pending): void {
    this.#pending.delete(timedOut.request.id);
    timedOut.reject(outOfTime());
    const worker = this.#worker;
    this.#worker = undefined;
    this.#ready = undefined;
    if (worker !== undefined) {
      worker.removeAllListeners();
      void worker.terminate();
    }
    if (this.#pending.size === 0) return;
    this.#start();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      this.#dispatch(pending);
    }
  }

  #fail(worker: Worker, cause: unknown): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    this.#ready = undefined;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new ExpressionFault('SY_EXPR_EVAL', `$toMillis could not run: ${String(cause)}`));
    }
    this.#pending.clear();
  }
}

export const dateParser = new DateParser();

function outOfTime(): ExpressionFault {
  return new ExpressionFault('SY_EXPR_TIMEOUT', 'parsing a date with $toMillis ran out of time');
}
