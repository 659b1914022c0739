/** @module API keys: only their hash is stored; a presented key finds its row by the id it carries. */
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { ApiKeysTable, Database } from '../schema.ts';
import type { ApiKeyRepository, Scope, StoredApiKey } from '../security-ports.ts';
import { newestFirstPage } from './newest-first.ts';

export function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async create(key) {
      const row: ApiKeysTable = {
        id: key.id,
        workspace_id: key.workspaceId,
        user_id: key.userId,
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        scopes: toJson(key.scopes),
        created_at: key.createdAt,
        expires_at: key.expiresAt,
        revoked_at: null,
        last_used_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return toApiKey(row);
    },

    async find(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    list: (workspaceId, page) =>
      newestFirstPage(
        db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId),
        page,
        'id',
        toApiKey,
      ),

    async revoke(workspaceId, id, now) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async touch(id, now) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}

function toApiKey(row: Selectable<ApiKeysTable>): StoredApiKey {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    scopes: fromJson(row.scopes) as Scope[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
