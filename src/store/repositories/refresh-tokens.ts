/**
 * @module Sign-in sessions and their refresh tokens. A token is used once: rotating it marks it used
 * and adds its successor to the session; presenting a used token again is taken as theft and
 * revokes the whole session, so both the thief's and the owner's tokens stop working.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { RefreshTokenRepository, Rotation } from '../security-ports.ts';

export function refreshTokenRepository(db: Kysely<Database>): RefreshTokenRepository {
  const revoke = (trx: Kysely<Database>, sessionId: string, now: number) =>
    trx
      .updateTable('auth_sessions')
      .set({ revoked_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();

  return {
    async insert(token) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('auth_sessions')
          .values({
            id: token.familyId,
            user_id: token.userId,
            workspace_id: token.workspaceId,
            created_at: token.createdAt,
            revoked_at: null,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        await trx
          .insertInto('refresh_tokens')
          .values({
            hash: token.hash,
            session_id: token.familyId,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
            used_at: null,
          })
          .execute();
      });
    },

    async rotate(hash, next, now): Promise<Rotation> {
      return db.transaction().execute(async (trx): Promise<Rotation> => {
        const row = await trx
          .selectFrom('refresh_tokens')
          .innerJoin('auth_sessions', 'auth_sessions.id', 'refresh_tokens.session_id')
          .select([
            'refresh_tokens.session_id',
            'refresh_tokens.created_at',
            'refresh_tokens.expires_at',
            'refresh_tokens.used_at',
            'auth_sessions.user_id',
            'auth_sessions.workspace_id',
            'auth_sessions.revoked_at',
          ])
          .where('refresh_tokens.hash', '=', hash)
          .executeTakeFirst();
        if (!row || row.revoked_at !== null) return { outcome: 'invalid' };
        const reused = (): Rotation => ({ outcome: 'reused', familyId: row.session_id, userId: row.user_id });
        if (row.used_at !== null) {
          await revoke(trx, row.session_id, now);
          return reused();
        }
        if (row.expires_at <= now) return { outcome: 'invalid' };
        const marked = await trx
          .updateTable('refresh_tokens')
          .set({ used_at: now })
          .where('hash', '=', hash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (marked.numUpdatedRows === 0n) {
          // A concurrent rotation won: two presenters of one token, one of them not the owner.
          await revoke(trx, row.session_id, now);
          return reused();
        }
        await trx
          .insertInto('refresh_tokens')
          .values({
            hash: next.hash,
            session_id: row.session_id,
            created_at: now,
            expires_at: next.expiresAt,
            used_at: null,
          })
          .execute();
        return {
          outcome: 'rotated',
          previous: {
            hash,
            familyId: row.session_id,
            userId: row.user_id,
            workspaceId: row.workspace_id,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          },
        };
      });
    },

    async revokeFamily(familyId, now) {
      await revoke(db, familyId, now);
    },

    async familyRevoked(familyId) {
      const row = await db
        .selectFrom('auth_sessions')
        .select('revoked_at')
        .where('id', '=', familyId)
        .executeTakeFirst();
      return !row || row.revoked_at !== null;
    },

    async familyOf(hash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .select('session_id')
        .where('hash', '=', hash)
        .executeTakeFirst();
      return row?.session_id;
    },

    async prune(before) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
