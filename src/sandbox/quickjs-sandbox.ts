/**
 * @module The code sandbox: user JavaScript in QuickJS (WebAssembly) on a worker thread.
 *
 * Runs are queued and executed one at a time on one worker, each in a fresh QuickJS runtime, so
 * concurrent callers never share state and never interleave. The worker keeps the host's event loop
 * free while code runs, lets a signal stop a run mid-loop, and can be killed outright if QuickJS
 * ever stops answering; the next run then gets a new worker.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { errorFromFailure, stopped } from './failure-to-error.ts';
import { resolveCodeLimits } from './limits.ts';
import type { RunJob } from './protocol.ts';
import { toRunJob } from './run-job.ts';
import { SandboxWorker } from './sandbox-worker.ts';
import type { CodeLimits, CodeRunRequest, CodeSandbox } from './types.ts';

export interface QuickJsSandboxOptions {
  /**
   * How long a run may go unanswered past its time limit, or after its signal aborted, before its
   * worker thread is killed. The interrupt handler normally stops code within milliseconds, but a
   * few builtins never poll it (sorting millions of elements took seconds here). Default 2000 ms.
   */
  readonly killGraceMs?: number;
}

/** Starts the worker and loads QuickJS, so a broken installation fails here and not on a first run. */
export async function createQuickJsSandbox(options: QuickJsSandboxOptions = {}): Promise<CodeSandbox> {
  const sandbox = new QuickJsSandbox(options.killGraceMs ?? 2000);
  await sandbox.start();
  return sandbox;
}

type Settlement = { readonly value: unknown } | { readonly error: Error };

interface QueuedRun {
  readonly id: number;
  readonly request: CodeRunRequest;
  readonly limits: CodeLimits;
  readonly job: RunJob;
  /** Int32 flag read by the worker's interrupt handler: 1 = stop. */
  readonly stop: SharedArrayBuffer;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timers: ReturnType<typeof setTimeout>[];
  started: boolean;
  settled: boolean;
  onAbort?: () => void;
}

class QuickJsSandbox implements CodeSandbox {
  readonly #queue: QueuedRun[] = [];
  #worker: SandboxWorker | undefined;
  #running: QueuedRun | undefined;
  #disposed = false;
  #nextId = 0;
  readonly #killGraceMs: number;

  constructor(killGraceMs: number) {
    this.#killGraceMs = killGraceMs;
  }

  async start(): Promise<void> {
    await this.#liveWorker();
  }

  run(request: CodeRunRequest): Promise<unknown> {
    if (this.#disposed)
      return Promise.reject(new SwitchyardError('SY_INTERNAL', 'The code sandbox was disposed.'));
    let limits: CodeLimits;
    let job: RunJob;
    try {
      limits = resolveCodeLimits(request.limits);
      job = toRunJob(request, limits);
    } catch (error) {
      return Promise.reject(error);
    }
    if (request.signal?.aborted === true)
      return Promise.reject(errorFromFailure({ kind: 'aborted', message: '' }, limits));
    return new Promise<unknown>((resolve, reject) => {
      const run: QueuedRun = {
        id: ++this.#nextId,
        request,
        limits,
        job,
        stop: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
        resolve,
        reject,
        timers: [],
        started: false,
        settled: false,
      };
      this.#watchSignal(run);
      this.#queue.push(run);
      this.#pump();
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const run of [...this.#queue.splice(0), ...(this.#running === undefined ? [] : [this.#running])]) {
      const message = 'The code sandbox was shut down before the code finished.';
      this.#finish(run, { error: stopped('disposed', message, run.limits, { retryable: true }) });
    }
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #pump(): void {
    if (this.#running !== undefined || this.#disposed) return;
    const next = this.#queue.shift();
    if (next === undefined) return;
    this.#running = next;
    void this.#execute(next);
  }

  async #execute(run: QueuedRun): Promise<void> {
    run.started = true;
    try {
      const worker = await this.#liveWorker();
      const deadline = run.limits.timeoutMs + this.#killGraceMs;
      run.timers.push(setTimeout(() => this.#kill(run, unresponsive(run.limits)), deadline));
      const outcome = await worker.run(run.id, run.job, run.stop, run.request.onLog ?? (() => {}));
      this.#finish(
        run,
        outcome.ok
          ? { value: JSON.parse(outcome.json) }
          : { error: errorFromFailure(outcome.failure, run.limits) },
      );
    } catch (error) {
      const message = 'The sandbox worker stopped unexpectedly.';
      this.#finish(run, { error: new SwitchyardError('SY_INTERNAL', message, { cause: error }) });
    } finally {
      this.#running = undefined;
      this.#pump();
    }
  }

  async #liveWorker(): Promise<SandboxWorker> {
    if (this.#worker === undefined || !this.#worker.alive) this.#worker = new SandboxWorker();
    const worker = this.#worker;
    await worker.ready;
    return worker;
  }

  #watchSignal(run: QueuedRun): void {
    const { signal } = run.request;
    if (signal === undefined) return;
    run.onAbort = () => {
      const aborted = errorFromFailure({ kind: 'aborted', message: '' }, run.limits);
      if (!run.started) {
        this.#queue.splice(this.#queue.indexOf(run), 1);
        this.#finish(run, { error: aborted });
        return;
      }
      Atomics.store(new Int32Array(run.stop), 0, 1);
      run.timers.push(setTimeout(() => this.#kill(run, aborted), this.#killGraceMs));
    };
    signal.addEventListener('abort', run.onAbort, { once: true });
  }

  /** The last resort: QuickJS did not stop in time, so its whole thread goes. */
  #kill(run: QueuedRun, error: Error): void {
    if (this.#running === run) {
      this.#worker?.terminate();
      this.#worker = undefined;
    }
    this.#finish(run, { error });
  }

  #finish(run: QueuedRun, settlement: Settlement): void {
    if (run.settled) return;
    run.settled = true;
    for (const timer of run.timers) clearTimeout(timer);
    if (run.onAbort !== undefined) run.request.signal?.removeEventListener('abort', run.onAbort);
    if ('error' in settlement) run.reject(settlement.error);
    else run.resolve(settlement.value);
  }
}

function unresponsive(limits: CodeLimits): Error {
  const message = `The code ran longer than its ${limits.timeoutMs} ms time limit.`;
  return stopped('timeout', message, limits, { details: { terminated: true } });
}
