/** @module The audit log: append-only; listed newest first per workspace. */
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toNullableJson } from '../json-column.ts';
import type { AuditEventsTable, Database } from '../schema.ts';
import type { AuditEvent, AuditOutcome, AuditRepository } from '../security-ports.ts';
import { newestFirstPage } from './newest-first.ts';

export function auditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async append(event) {
      await db
        .insertInto('audit_events')
        .values({
          id: event.id,
          workspace_id: event.workspaceId,
          actor: event.actor,
          action: event.action,
          target: event.target,
          outcome: event.outcome,
          ip: event.ip,
          detail: toNullableJson(event.detail),
          created_at: event.createdAt,
        })
        .execute();
    },

    list: (workspaceId, filter) =>
      newestFirstPage(
        db
          .selectFrom('audit_events')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(filter.action !== undefined, (q) => q.where('action', '=', filter.action!))
          .$if(filter.outcome !== undefined, (q) => q.where('outcome', '=', filter.outcome!)),
        filter,
        'id',
        toAuditEvent,
      ),
  };
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome as AuditOutcome,
    ip: row.ip,
    detail: fromJson(row.detail) as Record<string, unknown> | null,
    createdAt: row.created_at,
  };
}
