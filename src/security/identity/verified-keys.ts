/**
 * @module API keys verified moments ago, so that a program calling many times a second costs one
 * pair of database reads (its key row and its owner's role) per TRUST_MS, not per request. Entries
 * are found by the hash of the whole presented key, so only the exact secret that was verified
 * matches; the key's own expiry is checked on every use. What a cached entry can miss is a change
 * made elsewhere: a key revoked, a role changed or a member removed by another API process takes
 * effect within TRUST_MS; this process drops the whole cache when it makes such a change itself,
 * so there it takes effect at once.
 */
import { RefreshingCache } from '../../core/refreshing-cache.ts';
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

export interface VerifiedKey {
  readonly principal: Principal;
  readonly expiresAt: number | null;
}

export function verifiedKeys(now: () => number): RefreshingCache<string, VerifiedKey> {
  return new RefreshingCache<string, VerifiedKey>({
    trustMs: TRUST_MS,
    refreshAfterMs: REFRESH_AFTER_MS,
    maxEntries: MAX_ENTRIES,
    now,
    expiresAt: (key) => key.expiresAt,
  });
}
