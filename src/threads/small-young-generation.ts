/**
 * @module Worker threads started with a small young generation. V8 flags belong to the process:
 * the `--max-semi-space-size=8` that `switchyard` runs with (so the main thread, which allocates
 * per request, collects garbage less often) would also let each worker's young generation grow to
 * 16 MB, and it overrides the `resourceLimits.maxYoungGenerationSizeMb` a worker is given. Our
 * workers (the store's thread, the sandbox, the date parser) allocate little between collections,
 * so each is started with the smallest semi-space V8 has; the store's thread alone keeps ~5 MB less
 * resident at idle, at no throughput we could measure (bench/README.md, session 5).
 */
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** V8's smallest semi-space on 64-bit; a smaller value is rounded up to it. */
const WORKER_SEMI_SPACE_MB = 1;

/** What the process was started with (0: V8 decides), put back once no worker is being set up. */
const processSemiSpaceMb = Number(
  process.execArgv.map((arg) => /^--max-semi-space-size=(\d+)$/.exec(arg)?.[1]).findLast(Boolean) ?? 0,
);

let startingWorkers = 0;

export function startWorker(url: URL, options?: WorkerOptions): Worker {
  // The worker's isolate, and so its heap, is made on the worker's own thread after `new Worker`
  // returns: the flag must stay set until the thread comes online.
  setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
  startingWorkers++;
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    if (--startingWorkers === 0) setFlagsFromString(`--max-semi-space-size=${processSemiSpaceMb}`);
  };
  let worker: Worker;
  try {
    worker = new Worker(url, options);
  } catch (error) {
    settle();
    throw error;
  }
  worker.once('online', settle);
  worker.once('exit', settle);
  return worker;
}
