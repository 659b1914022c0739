/** @module Idempotency-Key results: the first request with a key acts, its repeats get its response. */
import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { IdempotencyKey, IdempotencyRepository, KeyClaim, StoredResponse } from '../ports.ts';
import type { Database } from '../schema.ts';

export function idempotencyRepository(db: Kysely<Database>): IdempotencyRepository {
  const byKey = (key: IdempotencyKey) =>
    ({
      workspace_id: key.workspaceId,
      scope: key.scope,
      key: key.key,
    }) as const;

  return {
    async reserve(key, claim): Promise<KeyClaim> {
      const insert = () =>
        db
          .insertInto('idempotency_keys')
          .values({
            ...byKey(key),
            fingerprint: claim.fingerprint,
            response: null,
            created_at: claim.now,
            expires_at: claim.expiresAt,
          })
          .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'key']).doNothing())
          .returning('key')
          .executeTakeFirst();
      if (await insert()) return { first: true };
      // Expired, or reserved by a request that died before answering: free to take over.
      const taken = await db
        .deleteFrom('idempotency_keys')
        .where('workspace_id', '=', key.workspaceId)
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', claim.now),
            eb.and([eb('response', 'is', null), eb('created_at', '<', claim.staleBefore)]),
          ]),
        )
        .executeTakeFirst();
      if (taken.numDeletedRows > 0n && (await insert())) return { first: true };
      const row = await db
        .selectFrom('idempotency_keys')
        .select(['fingerprint', 'response'])
        .where('workspace_id', '=', key.workspaceId)
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .executeTakeFirst();
      if (!row) return { first: false, fingerprint: claim.fingerprint, response: null };
      return {
        first: false,
        fingerprint: row.fingerprint,
        response: row.response === null ? null : (fromJson(row.response) as StoredResponse),
      };
    },

    async complete(key, response) {
      await db
        .updateTable('idempotency_keys')
        .set({ response: toJson(response) })
        .where('workspace_id', '=', key.workspaceId)
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .execute();
    },

    async release(key) {
      await db
        .deleteFrom('idempotency_keys')
        .where('workspace_id', '=', key.workspaceId)
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .where('response', 'is', null)
        .execute();
    },

    async prune(now) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
