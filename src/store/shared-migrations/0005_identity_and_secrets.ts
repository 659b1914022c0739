/**
 * @module The fifth schema (both backends): identity and secrets — workspaces (the default one inserted),
 * users, memberships with roles, sign-in sessions with their rotating refresh tokens, API keys,
 * sealed credentials and the audit log.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

export function identityAndSecrets(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('outbound_allow', types.json, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .execute();
      await sql`insert into workspaces (id, name, outbound_allow, created_at) values ('default', 'Default', '[]', 0)`.execute(
        db,
      );

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('memberships')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['workspace_id', 'user_id'])
        .execute();
      await db.schema.createIndex('memberships_by_user').on('memberships').column('user_id').execute();

      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('revoked_at', types.int)
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('auth_sessions.id').onDelete('cascade'),
        )
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('expires_at', types.int, (c) => c.notNull())
        .addColumn('used_at', types.int)
        .execute();
      await db.schema
        .createIndex('refresh_tokens_by_session')
        .on('refresh_tokens')
        .column('session_id')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_by_expiry')
        .on('refresh_tokens')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('scopes', types.json, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('expires_at', types.int)
        .addColumn('revoked_at', types.int)
        .addColumn('last_used_at', types.int)
        .execute();
      await db.schema
        .createIndex('api_keys_by_workspace')
        .on('api_keys')
        .columns(['workspace_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('fields', types.json, (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('updated_at', types.int, (c) => c.notNull())
        .addUniqueConstraint('credentials_name_unique', ['workspace_id', 'name'])
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('detail', types.json)
        .addColumn('created_at', types.int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_events_by_workspace')
        .on('audit_events')
        .columns(['workspace_id', 'created_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'audit_events',
        'credentials',
        'api_keys',
        'refresh_tokens',
        'auth_sessions',
        'memberships',
        'users',
        'workspaces',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
