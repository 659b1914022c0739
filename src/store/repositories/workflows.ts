/** @module Workflows (an editable draft each) and their immutable, numbered versions. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { StoredVersion, StoredWorkflow, WorkflowRepository } from '../ports.ts';
import type { Database, WorkflowsTable, WorkflowVersionsTable } from '../schema.ts';
import { newestFirstPage } from './newest-first.ts';

export function workflowRepository(db: Kysely<Database>): WorkflowRepository {
  const inWorkspace = (workspaceId: string, id: string) =>
    db.selectFrom('workflows').where('workspace_id', '=', workspaceId).where('id', '=', id);

  return {
    async create(workflow) {
      const row: WorkflowsTable = {
        id: workflow.id,
        workspace_id: workflow.workspaceId,
        name: workflow.name,
        description: workflow.description ?? null,
        draft: toJson(workflow.draft),
        latest_version: null,
        created_at: workflow.now,
        updated_at: workflow.now,
      };
      await db.insertInto('workflows').values(row).execute();
      return toWorkflow(row);
    },

    async get(workspaceId, id) {
      const row = await inWorkspace(workspaceId, id).selectAll().executeTakeFirst();
      return row && toWorkflow(row);
    },

    async forTrigger(id) {
      const row = await db
        .selectFrom('workflows')
        .select(['workspace_id', 'latest_version'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { workspaceId: row.workspace_id, latestVersion: row.latest_version };
    },

    async list(workspaceId, page) {
      return newestFirstPage(
        db.selectFrom('workflows').selectAll().where('workspace_id', '=', workspaceId),
        page,
        'id',
        toWorkflow,
      );
    },

    async updateDraft(workspaceId, id, patch) {
      const set: Updateable<WorkflowsTable> = { updated_at: patch.now };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.draft !== undefined) set.draft = toJson(patch.draft);
      const row = await db
        .updateTable('workflows')
        .set(set)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toWorkflow(row);
    },

    async delete(workspaceId, id) {
      const result = await db
        .deleteFrom('workflows')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    publish(workspaceId, id, version) {
      // Bumping the counter first takes the workflow's row lock (PostgreSQL) or the write lock
      // (SQLite), so concurrent publishers line up and each gets the next number.
      return db.transaction().execute(async (trx) => {
        const bumped = await trx
          .updateTable('workflows')
          .set((eb) => ({
            latest_version: eb(eb.fn.coalesce('latest_version', eb.lit(0)), '+', 1),
            updated_at: version.now,
          }))
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning('latest_version')
          .executeTakeFirst();
        if (bumped?.latest_version == null) return undefined;
        const row: WorkflowVersionsTable = {
          workflow_id: id,
          version: bumped.latest_version,
          definition: toJson(version.definition),
          note: version.note ?? null,
          created_at: version.now,
        };
        await trx.insertInto('workflow_versions').values(row).execute();
        return toVersion(row);
      });
    },

    async getVersion(workspaceId, id, version) {
      const row = await versionsInWorkspace(db, workspaceId, id)
        .where('v.version', '=', version)
        .executeTakeFirst();
      return row && toVersion(row);
    },

    async listVersions(workspaceId, id) {
      const rows = await versionsInWorkspace(db, workspaceId, id).orderBy('v.version', 'asc').execute();
      return rows.map(toVersion);
    },
  };
}

function versionsInWorkspace(db: Kysely<Database>, workspaceId: string, id: string) {
  return db
    .selectFrom('workflow_versions as v')
    .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
    .selectAll('v')
    .where('w.workspace_id', '=', workspaceId)
    .where('v.workflow_id', '=', id);
}

function toWorkflow(row: Selectable<WorkflowsTable>): StoredWorkflow {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    draft: fromJson(row.draft),
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: Selectable<WorkflowVersionsTable>): StoredVersion {
  return {
    workflowId: row.workflow_id,
    version: row.version,
    definition: fromJson(row.definition),
    note: row.note,
    createdAt: row.created_at,
  };
}
