/** Opens fresh stores for conformance tests and closes and tears them down after each test. */
import { afterEach } from 'vitest';
import type { StoreConnection } from '../../../src/store/backend.ts';
import { openStore, openStoreConnection, type StoreConfig } from '../../../src/store/open-store.ts';
import type { Store } from '../../../src/store/ports.ts';

/** What a backend's test file supplies: fresh, empty databases. */
export interface StoreHarness {
  /** A new, empty, unmigrated database; dispose() removes it. */
  fresh(): Promise<{ readonly config: StoreConfig; dispose(): Promise<void> }>;
  /** Whether several stores (processes) may share one database: PostgreSQL yes, SQLite no. */
  readonly shared: boolean;
}

export interface StoreFixture {
  readonly shared: boolean;
  /** A fresh database's config (torn down after the test). */
  database(): Promise<StoreConfig>;
  /** A store on `config`, or on a fresh database; closed after the test. */
  open(config?: StoreConfig): Promise<Store>;
  /** An unmigrated connection; closed after the test unless closed before. */
  connect(config: StoreConfig): Promise<StoreConnection>;
}

export function storeFixture(harness: StoreHarness): StoreFixture {
  const closers: (() => Promise<void>)[] = [];
  const disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const dispose of disposers.splice(0)) await dispose();
  });
  const database = async () => {
    const fresh = await harness.fresh();
    disposers.push(() => fresh.dispose());
    return fresh.config;
  };
  return {
    shared: harness.shared,
    database,
    async open(config) {
      const store = await openStore(config ?? (await database()));
      closers.push(() => store.close());
      return store;
    },
    async connect(config) {
      const connection = await openStoreConnection(config);
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await connection.close();
      };
      closers.push(close);
      return { ...connection, close };
    },
  };
}
