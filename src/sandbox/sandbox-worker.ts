/**
 * @module The host's handle on one sandbox worker thread: starts it, sends it one job at a time,
 * relays its console output, and turns its death into a rejected run instead of a hang.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/small-young-generation.ts';
import { sandboxWorkerStackMb } from './limits.ts';
import type { HostToWorker, RunJob, RunOutcome, WorkerToHost } from './protocol.ts';
import type { CodeLogLevel } from './types.ts';

interface InFlight {
  readonly id: number;
  readonly onLog: (level: CodeLogLevel, message: string) => void;
  readonly resolve: (outcome: RunOutcome) => void;
  readonly reject: (error: Error) => void;
}

export class SandboxWorker {
  /** Resolves once the worker has loaded QuickJS; rejects if it dies first. */
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  #inFlight: InFlight | undefined;
  #exited = false;

  constructor() {
    this.#worker = startWorker(new URL('./quickjs-worker.ts', import.meta.url), {
      // User code sees none of the host's environment anyway; the worker needs none either.
      env: {},
      resourceLimits: { stackSizeMb: sandboxWorkerStackMb },
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerToHost): void => {
        if (message.type !== 'ready') this.#receive(message);
        else {
          // Idle workers must not keep the process alive; starting and running ones must.
          if (this.#inFlight === undefined) this.#worker.unref();
          resolve();
        }
      };
      this.#worker.on('message', onMessage);
      this.#worker.once('error', (error) => this.#die(error, reject));
      this.#worker.once('exit', (code) =>
        this.#die(new Error(`The sandbox worker exited with code ${code}.`), reject),
      );
    });
    // A failed start is reported by `ready` to whoever awaits it; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  get alive(): boolean {
    return !this.#exited;
  }

  run(id: number, job: RunJob, stop: SharedArrayBuffer, onLog: InFlight['onLog']): Promise<RunOutcome> {
    if (this.#exited) return Promise.reject(new Error('The sandbox worker has exited.'));
    if (this.#inFlight !== undefined) return Promise.reject(new Error('The sandbox worker is busy.'));
    return new Promise<RunOutcome>((resolve, reject) => {
      this.#inFlight = { id, onLog, resolve, reject };
      this.#worker.ref();
      this.#worker.postMessage({ type: 'run', id, job, stop } satisfies HostToWorker);
    });
  }

  terminate(): void {
    void this.#worker.terminate();
  }

  #receive(message: Exclude<WorkerToHost, { type: 'ready' }>): void {
    const inFlight = this.#inFlight;
    if (inFlight === undefined || inFlight.id !== message.id) return;
    if (message.type === 'log') {
      forwardLog(inFlight, message.level, message.message);
      return;
    }
    this.#inFlight = undefined;
    this.#worker.unref();
    inFlight.resolve(message.outcome);
  }

  #die(error: Error, rejectReady: (error: Error) => void): void {
    if (this.#exited) return;
    this.#exited = true;
    rejectReady(error);
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.reject(error);
  }
}

function forwardLog(inFlight: InFlight, level: CodeLogLevel, message: string): void {
  try {
    inFlight.onLog(level, message);
  } catch {
    // A failing log sink must not fail the user's run, nor crash the host from a message handler.
  }
}
