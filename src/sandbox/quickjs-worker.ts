/**
 * @module Entry point of the sandbox worker thread: receives jobs, runs them one at a time on a
 * QuickJS runner, streams console output back, and answers with the outcome.
 *
 * User code runs here, not on the host's event loop, so a busy loop cannot stall the server, and
 * the host can still cancel (through shared memory read by the interrupt handler) or, as the last
 * resort, terminate this thread.
 */
import { parentPort } from 'node:worker_threads';
import type { HostToWorker, RunOutcome, WorkerToHost } from './protocol.ts';
import { createQuickJsRunner } from './quickjs-runner.ts';

const port = parentPort;
if (port === null) throw new Error('quickjs-worker.ts must run in a worker thread.');

const send = (message: WorkerToHost): void => port.postMessage(message);
const runner = await createQuickJsRunner();
let queue: Promise<void> = Promise.resolve();

async function runJob({ id, job, stop }: HostToWorker): Promise<void> {
  const stopFlag = new Int32Array(stop);
  let outcome: RunOutcome;
  try {
    outcome = await runner.run(job, {
      log: (level, message) => send({ type: 'log', id, level, message }),
      stopRequested: () => Atomics.load(stopFlag, 0) !== 0,
    });
  } catch (error) {
    // Only loading a fresh WebAssembly module can fail here; report it rather than hang the host.
    const reason = error instanceof Error ? error.message : String(error);
    outcome = { ok: false, failure: { kind: 'internal', message: `The sandbox could not start: ${reason}` } };
  }
  send({ type: 'done', id, outcome });
}

port.on('message', (message: HostToWorker) => {
  queue = queue.then(() => runJob(message));
});
send({ type: 'ready' });
