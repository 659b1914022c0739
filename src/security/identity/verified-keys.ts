/**
 * @module API keys verified moments ago, so that a program calling many times a second costs one
 * pair of database reads (its key row and its owner's role) per TRUST_MS, not per request. Entries
 * are found by the hash of the whole presented key, so only the exact secret that was verified
 * matches. What a cached entry can miss is a change made elsewhere: a key revoked, a role changed
 * or a member removed by another API process takes effect within TRUST_MS; this process drops the
 * whole cache when it makes such a change itself (`forgetAll`), so there it takes effect at once.
 */
import type { Principal } from './principal.ts';

/** How long a verified key is believed without reading it again. */
export const TRUST_MS = 2_000;
/**
 * A use of a key verified longer ago than this also verifies it again, in the background: a caller
 * that keeps calling never waits for the store, and nothing is believed for longer than TRUST_MS.
 */
export const REFRESH_AFTER_MS = 1_500;
/** A bound on the entries, whatever the number of keys in use: the oldest are dropped first. */
const MAX_ENTRIES = 10_000;

interface Verified {
  readonly principal: Principal;
  /** The key's own expiry, checked on every use. */
  readonly expiresAt: number | null;
  readonly trustedUntil: number;
}

export class VerifiedKeys {
  private readonly entries = new Map<string, Verified>();
  /** Raised by `forgetAll`: a verification that began before a change is not kept after it. */
  private changes = 0;

  /** Taken before reading a key, and handed to `remember`. */
  get generation(): number {
    return this.changes;
  }

  /** The principal of a key with this hash verified less than TRUST_MS ago and not expired since. */
  get(hash: string, now: number): Principal | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.trustedUntil <= now || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.principal;
  }

  /** Whether the trusted entry for this hash is old enough to be verified again ahead of its end. */
  refreshDue(hash: string, now: number): boolean {
    const entry = this.entries.get(hash);
    return entry !== undefined && entry.trustedUntil - now <= TRUST_MS - REFRESH_AFTER_MS;
  }

  /** A key that failed verification: not trusted any more. */
  forget(hash: string): void {
    this.entries.delete(hash);
  }

  remember(
    hash: string,
    principal: Principal,
    expiresAt: number | null,
    now: number,
    generation: number,
  ): void {
    // Read before a revocation or a role change that came while it was being read: not trusted.
    if (generation !== this.changes) return;
    this.entries.delete(hash);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { principal, expiresAt, trustedUntil: now + TRUST_MS });
  }

  /** After a revocation or a membership change in this process: nothing cached is trusted any more. */
  forgetAll(): void {
    this.changes++;
    this.entries.clear();
  }
}
