/**
 * @module Sealed credentials. Listing and reading return metadata only; the sealed data leaves this
 * module through the two `sealed*` reads, which only the vault calls.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { CredentialsTable, Database } from '../schema.ts';
import type { CredentialMeta, CredentialRepository, SealedCredential } from '../security-ports.ts';
import { newestFirstPage } from './newest-first.ts';

const META_COLUMNS = [
  'id',
  'workspace_id',
  'name',
  'type',
  'fields',
  'key_id',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export function credentialRepository(db: Kysely<Database>): CredentialRepository {
  const meta = (workspaceId: string) =>
    db.selectFrom('credentials').select(META_COLUMNS).where('workspace_id', '=', workspaceId);
  const sealed = (workspaceId: string) =>
    db.selectFrom('credentials').selectAll().where('workspace_id', '=', workspaceId);

  return {
    async create(credential) {
      const row: CredentialsTable = {
        id: credential.id,
        workspace_id: credential.workspaceId,
        name: credential.name,
        type: credential.type,
        fields: toJson(credential.fields),
        key_id: credential.keyId,
        sealed: credential.sealed,
        created_by: credential.createdBy,
        created_at: credential.createdAt,
        updated_at: credential.updatedAt,
      };
      const inserted = await db
        .insertInto('credentials')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted ? toMeta(row) : 'exists';
    },

    async get(workspaceId, id) {
      const row = await meta(workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toMeta(row);
    },

    async sealedByName(workspaceId, name) {
      const row = await sealed(workspaceId).where('name', '=', name).executeTakeFirst();
      return row && toSealed(row);
    },

    async sealedById(workspaceId, id) {
      const row = await sealed(workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toSealed(row);
    },

    list: (workspaceId, page) => newestFirstPage(meta(workspaceId), page, 'id', toMeta),

    async update(workspaceId, id, patch) {
      return db.transaction().execute(async (trx) => {
        if (patch.name !== undefined) {
          const clash = await trx
            .selectFrom('credentials')
            .select('id')
            .where('workspace_id', '=', workspaceId)
            .where('name', '=', patch.name)
            .where('id', '!=', id)
            .executeTakeFirst();
          if (clash) return 'exists' as const;
        }
        const set: Updateable<CredentialsTable> = { updated_at: patch.now };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.type !== undefined) set.type = patch.type;
        if (patch.sealed !== undefined) {
          set.sealed = patch.sealed.sealed;
          set.key_id = patch.sealed.keyId;
          set.fields = toJson(patch.sealed.fields);
        }
        const row = await trx
          .updateTable('credentials')
          .set(set)
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning(META_COLUMNS)
          .executeTakeFirst();
        return row && toMeta(row);
      });
    },

    async delete(workspaceId, id) {
      const result = await db
        .deleteFrom('credentials')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

type MetaRow = Pick<Selectable<CredentialsTable>, (typeof META_COLUMNS)[number]>;

function toMeta(row: MetaRow): CredentialMeta {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    type: row.type,
    fields: fromJson(row.fields) as string[],
    keyId: row.key_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSealed(row: Selectable<CredentialsTable>): SealedCredential {
  return { ...toMeta(row), sealed: row.sealed };
}
