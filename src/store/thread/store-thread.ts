/**
 * @module The store's thread, once started: it opens the embedded SQLite database, applies migrations and
 * answers repository calls one after another. SQLite's work (statements, page writes, fsync) and
 * the query building around it then happen off the event loop that serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { migrate } from '../migrations.ts';
import type { Store } from '../ports.ts';
import { createSqlStore } from '../sql-store.ts';
import { openSqliteConnection } from '../sqlite/open-sqlite.ts';
import {
  type CallMessage,
  type ReadyMessage,
  type ReplyMessage,
  type StoreThreadOptions,
  sendableError,
} from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('store-thread runs as a worker thread');

const options = workerData as StoreThreadOptions;
let store: Store;
try {
  const connection = openSqliteConnection(options);
  try {
    await migrate(connection);
  } catch (error) {
    await connection.close();
    throw error;
  }
  store = createSqlStore(connection);
} catch (error) {
  port.postMessage({ ready: false, error: sendableError(error) } satisfies ReadyMessage);
  process.exit(1);
}

const members = store as unknown as Record<string, unknown>;
const shape: Record<string, string[]> = {};
for (const [name, member] of Object.entries(members)) {
  if (typeof member === 'object' && member !== null) {
    shape[name] = Object.keys(member).filter(
      (key) => typeof (member as Record<string, unknown>)[key] === 'function',
    );
  }
}
port.postMessage({ ready: true, backend: store.backend, shape } satisfies ReadyMessage);

port.on('message', (call: CallMessage) => {
  void answer(call);
});

async function answer(call: CallMessage): Promise<void> {
  let reply: ReplyMessage;
  try {
    const target =
      call.repository === 'store' ? members : (members[call.repository] as Record<string, unknown>);
    const method = target[call.method] as (...args: readonly unknown[]) => Promise<unknown>;
    reply = { id: call.id, ok: true, value: await method.apply(target, [...call.args]) };
  } catch (error) {
    reply = { id: call.id, ok: false, error: sendableError(error) };
  }
  try {
    port?.postMessage(reply);
  } catch (error) {
    // An answer that cannot be cloned is a bug in a repository: the caller hears of it, the thread goes on.
    port?.postMessage({ id: call.id, ok: false, error: sendableError(error) } satisfies ReplyMessage);
  }
  if (call.repository === 'store' && call.method === 'close') process.exit(0);
}
