/**
 * @module The master keys the vault knows: the first one wraps new data keys, every one of them
 * still unwraps, so a key can be rotated in while records sealed under the old one keep opening.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface MasterKey {
  readonly id: string;
  /** 32 bytes (AES-256). */
  readonly key: Buffer;
}

/** Key ids travel inside sealed strings, between '.' separators, so they keep to a safe alphabet. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export const MASTER_KEY_BYTES = 32;

export class KeyRing {
  // Private fields, so that neither JSON.stringify nor util.inspect of a ring prints key bytes.
  readonly #keys: Map<string, MasterKey>;
  readonly #current: MasterKey;

  constructor(keys: readonly MasterKey[]) {
    const first = keys[0];
    if (first === undefined) throw invalid('the key ring needs at least one master key');
    this.#keys = new Map();
    for (const [index, { id, key }] of keys.entries()) {
      if (!KEY_ID.test(id))
        throw invalid(`master key #${index + 1} has an id that is not [A-Za-z0-9_-]{1,32}`);
      if (this.#keys.has(id)) throw invalid(`two master keys have the id "${id}"`);
      if (key.length !== MASTER_KEY_BYTES) {
        throw invalid(`master key "${id}" is ${key.length} bytes, not ${MASTER_KEY_BYTES}`);
      }
      // A copy: a caller that later zeroes or reuses its buffer must not change the ring.
      this.#keys.set(id, Object.freeze({ id, key: Buffer.from(key) }));
    }
    this.#current = this.#keys.get(first.id)!;
  }

  /** The key that wraps everything sealed from now on. */
  get current(): MasterKey {
    return this.#current;
  }

  get(id: string): MasterKey | undefined {
    return this.#keys.get(id);
  }

  /** Current first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }
}

function invalid(message: string): SwitchyardError {
  return new SwitchyardError('SY_VAULT_MASTER_KEY_INVALID', message);
}
