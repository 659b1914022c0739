/**
 * @module One page of a listing, newest first, by keyset (created_at, id): the cursor filter, the
 * order and the one extra row that says another page exists, written once for every repository.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import { decodeCursor, pageLimit, toPage } from '../paging.ts';
import type { Page, PageRequest } from '../ports.ts';

export async function newestFirstPage<DB, TB extends keyof DB, O extends { created_at: number }, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
  idColumn: 'id' | 'execution_id',
  map: (row: O) => T,
): Promise<Page<T>> {
  const limit = pageLimit(page);
  const after = page.after === undefined ? undefined : decodeCursor(page.after);
  const rows = await query
    .$if(after !== undefined, (q) =>
      q.where(sql<boolean>`(${sql.ref('created_at')}, ${sql.ref(idColumn)}) < (${after!.at}, ${after!.id})`),
    )
    .orderBy(sql.ref('created_at'), 'desc')
    .orderBy(sql.ref(idColumn), 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(
    rows,
    limit,
    (row) => ({ at: row.created_at, id: String((row as Record<string, unknown>)[idColumn]) }),
    map,
  );
}
