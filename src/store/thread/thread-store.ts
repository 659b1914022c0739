/**
 * @module The embedded store as the rest of the process sees it: the same Store, whose every
 * repository call is a message to the store's thread (store-thread.ts) and whose answer comes
 * back as a message. Calls are pipelined; the thread runs them in the order they were made.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../threads/small-young-generation.ts';
import type { Store, WorkflowRepository } from '../ports.ts';
import { type ReadyMessage, type ReplyMessage, receivedError, type StoreThreadOptions } from './protocol.ts';
import { cachingTriggers } from './trigger-cache.ts';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export async function openThreadStore(
  options: StoreThreadOptions,
  onStopped?: (error: Error) => void,
): Promise<Store> {
  const worker = startWorker(new URL('./store-thread-main.js', import.meta.url), { workerData: options });
  const ready = await firstMessage(worker);
  if (!ready.ready) {
    await worker.terminate();
    throw receivedError(ready.error);
  }

  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stopped: Error | undefined;
  // The thread keeps the process alive only while an answer is awaited, like a socket would.
  worker.unref();
  worker.on('message', (reply: ReplyMessage) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (pending.size === 0 && !closing) worker.unref();
    if (reply.ok) call.resolve(reply.value);
    else call.reject(receivedError(reply.error));
  });
  let closing: Promise<void> | undefined;
  const failAll = (error: Error) => {
    stopped ??= error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    const error = new Error(`the store's thread has stopped (exit ${code})`);
    if (!closing) onStopped?.(error);
    failAll(error);
  });

  const call = (repository: string, method: string, args: readonly unknown[]): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // Throws (and so rejects) on arguments that cannot be cloned, before anything waits on them.
      worker.postMessage({ id, repository, method, args });
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
    });
  };

  const store: Record<string, unknown> = { backend: ready.backend };
  for (const [repository, methods] of Object.entries(ready.shape)) {
    const proxy: Record<string, unknown> = {};
    for (const method of methods) proxy[method] = (...args: unknown[]) => call(repository, method, args);
    store[repository] = proxy;
  }
  store.workflows = cachingTriggers(store.workflows as WorkflowRepository);
  store.health = () => call('store', 'health', []);
  store.close = () => {
    closing ??= (async () => {
      if (stopped) return;
      // Held until the thread has let go of the database file, for whoever opens it next.
      worker.ref();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await call('store', 'close', []).catch(() => {});
      await exited;
    })();
    return closing;
  };
  return store as unknown as Store;
}

function firstMessage(worker: Worker): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    const stoppedEarly = (code: number) =>
      reject(new Error(`the store's thread stopped while opening (exit ${code})`));
    const settle = () => {
      worker.off('error', reject);
      worker.off('exit', stoppedEarly);
    };
    worker.once('message', (message: ReadyMessage) => {
      settle();
      resolve(message);
    });
    worker.once('error', (error) => {
      settle();
      reject(error);
    });
    worker.once('exit', stoppedEarly);
  });
}
