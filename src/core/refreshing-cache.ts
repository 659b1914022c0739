/**
 * @module Values read from a store and believed for a while: each is believed for `trustMs` from
 * the moment its read began, and a use after `refreshAfterMs` reads it again in the background, so
 * a caller that keeps asking never waits for the store. Reads of one key under way are shared.
 * `invalidate` ends the trust at once — including that of a read already under way, whose answer is
 * then handed to the callers that were waiting for it but not kept.
 */

interface Entry<V> {
  readonly value: V;
  readonly trustedUntil: number;
  /** When the value itself stops being good (an expiring credential); null: never. */
  readonly expiresAt: number | null;
}

export interface RefreshingCacheOptions<V> {
  readonly trustMs: number;
  readonly refreshAfterMs: number;
  /** A bound on the entries, whatever the number of keys in use: the oldest go first. */
  readonly maxEntries: number;
  readonly now: () => number;
  readonly expiresAt?: (value: V) => number | null;
}

export class RefreshingCache<K, V> {
  readonly #options: RefreshingCacheOptions<V>;
  readonly #entries = new Map<K, Entry<V>>();
  readonly #reading = new Map<K, Promise<V>>();

  constructor(options: RefreshingCacheOptions<V>) {
    this.#options = options;
  }

  /** The value believed now, or `load`'s answer (shared with other callers of the same key). */
  get(key: K, load: () => Promise<V>): V | Promise<V> {
    const now = this.#options.now();
    const entry = this.#entries.get(key);
    if (
      entry === undefined ||
      entry.trustedUntil <= now ||
      (entry.expiresAt !== null && entry.expiresAt <= now)
    ) {
      this.#entries.delete(key);
      return this.#read(key, load);
    }
    if (entry.trustedUntil - now <= this.#options.trustMs - this.#options.refreshAfterMs) {
      // Its failure (a key revoked, a store down) drops the entry: the next use reads and fails.
      this.#read(key, load).catch(() => {});
    }
    return entry.value;
  }

  invalidate(key: K): void {
    this.#entries.delete(key);
    this.#reading.delete(key);
  }

  invalidateAll(): void {
    this.#entries.clear();
    this.#reading.clear();
  }

  #read(key: K, load: () => Promise<V>): Promise<V> {
    const under = this.#reading.get(key);
    if (under !== undefined) return under;
    const started = this.#options.now();
    const reading: Promise<V> = load().then(
      (value) => {
        // Invalidated while it was read: answered, not kept.
        if (this.#reading.get(key) === reading) this.#keep(key, value, started);
        return value;
      },
      (error: unknown) => {
        this.#entries.delete(key);
        throw error;
      },
    );
    this.#reading.set(key, reading);
    const done = () => {
      if (this.#reading.get(key) === reading) this.#reading.delete(key);
    };
    reading.then(done, done);
    return reading;
  }

  #keep(key: K, value: V, started: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, {
      value,
      trustedUntil: started + this.#options.trustMs,
      expiresAt: this.#options.expiresAt?.(value) ?? null,
    });
  }
}
