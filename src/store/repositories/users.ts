/**
 * @module Users. Creation decides, in the same transaction, whether this is the server's first user
 * (who becomes admin of the default workspace), so two sign-ups at once cannot both be first.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Backend } from '../backend.ts';
import type { Database, UsersTable } from '../schema.ts';
import type { StoredUser, UserRepository } from '../security-ports.ts';

export function userRepository(db: Kysely<Database>, backend: Backend): UserRepository {
  return {
    async create(user, placement) {
      return db.transaction().execute(async (trx) => {
        // SQLite runs one writer at a time; PostgreSQL needs the count and the insert serialised.
        if (backend.rowLocks) await sql`select pg_advisory_xact_lock(7301)`.execute(trx);
        const taken = await trx
          .selectFrom('users')
          .select('id')
          .where('email', '=', user.email)
          .executeTakeFirst();
        if (taken) return 'exists' as const;
        const row: UsersTable = {
          id: user.id,
          email: user.email,
          name: user.name,
          password_hash: user.passwordHash,
          created_at: user.now,
        };
        await trx.insertInto('users').values(row).execute();
        const { count } = await trx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow();
        const first = Number(count) === 1;
        let workspaceId = placement.firstAdminOf;
        if (!first && placement.ownWorkspace) {
          workspaceId = placement.ownWorkspace.id;
          await trx
            .insertInto('workspaces')
            .values({
              id: workspaceId,
              name: placement.ownWorkspace.name,
              outbound_allow: '[]',
              created_at: user.now,
            })
            .execute();
        }
        if (first || placement.ownWorkspace) {
          await trx
            .insertInto('memberships')
            .values({ workspace_id: workspaceId, user_id: user.id, role: 'admin', created_at: user.now })
            .execute();
        }
        return { user: toUser(row), first };
      });
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findByEmail(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst();
      return row && toUser(row);
    },

    async count() {
      const { count } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(count);
    },
  };
}

function toUser(row: Selectable<UsersTable>): StoredUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
