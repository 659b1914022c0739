/** @module Workspaces and their members; a workspace always keeps at least one admin. */
import type { Kysely, Transaction } from 'kysely';
import type { Backend } from '../backend.ts';
import { fromJson, toJson } from '../json-column.ts';
import type { Database } from '../schema.ts';
import type { Role, WorkspaceRepository } from '../security-ports.ts';

export function workspaceRepository(db: Kysely<Database>, backend: Backend): WorkspaceRepository {
  // Locks the admins' rows (PostgreSQL) so that two demotions at once cannot leave none.
  const adminCount = async (trx: Transaction<Database>, workspaceId: string) => {
    const admins = trx
      .selectFrom('memberships')
      .select('user_id')
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'admin');
    return (await (backend.rowLocks ? admins.forUpdate() : admins).execute()).length;
  };
  const roleIn = async (trx: Kysely<Database>, workspaceId: string, userId: string) => {
    const row = await trx
      .selectFrom('memberships')
      .select('role')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role as Role | undefined;
  };

  return {
    async get(id) {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        row && {
          id: row.id,
          name: row.name,
          outboundAllow: fromJson(row.outbound_allow) as string[],
          createdAt: row.created_at,
        }
      );
    },

    async setOutboundAllow(id, allow) {
      const result = await db
        .updateTable('workspaces')
        .set({ outbound_allow: toJson(allow) })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async membershipsOf(userId) {
      const rows = await db
        .selectFrom('memberships')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('workspace_id')
        .execute();
      return rows.map((row) => ({
        workspaceId: row.workspace_id,
        userId: row.user_id,
        role: row.role as Role,
        createdAt: row.created_at,
      }));
    },

    role: (workspaceId, userId) => roleIn(db, workspaceId, userId),

    async members(workspaceId) {
      const rows = await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'memberships.workspace_id',
          'memberships.user_id',
          'memberships.role',
          'memberships.created_at',
          'users.email',
          'users.name',
        ])
        .where('memberships.workspace_id', '=', workspaceId)
        .orderBy('memberships.created_at')
        .orderBy('memberships.user_id')
        .execute();
      return rows.map((row) => ({
        workspaceId: row.workspace_id,
        userId: row.user_id,
        role: row.role as Role,
        createdAt: row.created_at,
        email: row.email,
        name: row.name,
      }));
    },

    async setRole(workspaceId, userId, role, now) {
      return db.transaction().execute(async (trx) => {
        const current = await roleIn(trx, workspaceId, userId);
        if (current === 'admin' && role !== 'admin' && (await adminCount(trx, workspaceId)) <= 1) {
          return 'last-admin' as const;
        }
        if (current === undefined) {
          await trx
            .insertInto('memberships')
            .values({ workspace_id: workspaceId, user_id: userId, role, created_at: now })
            .execute();
        } else {
          await trx
            .updateTable('memberships')
            .set({ role })
            .where('workspace_id', '=', workspaceId)
            .where('user_id', '=', userId)
            .execute();
        }
        return 'ok' as const;
      });
    },

    async removeMember(workspaceId, userId) {
      return db.transaction().execute(async (trx) => {
        const current = await roleIn(trx, workspaceId, userId);
        if (current === undefined) return 'absent' as const;
        if (current === 'admin' && (await adminCount(trx, workspaceId)) <= 1) return 'last-admin' as const;
        await trx
          .deleteFrom('memberships')
          .where('workspace_id', '=', workspaceId)
          .where('user_id', '=', userId)
          .execute();
        return 'ok' as const;
      });
    },
  };
}
