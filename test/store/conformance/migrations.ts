/** Conformance: migrations on an empty database, on one holding data from the previous release, and refusals. */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate, migrationState } from '../../../src/store/migrations.ts';
import { DEFAULT_WORKSPACE } from '../../../src/store/ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const ALL = [
  '0001_initial',
  '0002_accounting_and_operations',
  '0003_node_run_input',
  '0004_webhooks_and_idempotency',
  '0005_identity_and_secrets',
  '0006_llm_gateway',
  '0007_approvals',
  '0008_node_steps',
  '0009_conversations',
];

export function migrationConformance(fixture: StoreFixture): void {
  describe('migrations', () => {
    it('migrates an empty database to the latest schema, once', async () => {
      const config = await fixture.database();
      const connection = await fixture.connect(config);
      expect(await migrationState(connection)).toEqual({ applied: [], pending: ALL, unknown: [] });
      const report = await migrate(connection);
      expect(report).toMatchObject({ applied: ALL, current: ALL.at(-1), backend: connection.backend.name });
      expect(await migrationState(connection)).toEqual({ applied: ALL, pending: [], unknown: [] });
      expect((await migrate(connection)).applied).toEqual([]);
      await connection.close();
      const store = await fixture.open(config);
      expect(await store.health()).toEqual({ ok: true });
    });

    it('migrates a database holding data from the previous release and reads it back', async () => {
      const config = await fixture.database();
      const connection = await fixture.connect(config);
      expect((await migrate(connection, '0001_initial')).applied).toEqual(['0001_initial']);
      // Rows as the release with only 0001 wrote them: no token or cost columns yet.
      const { db } = connection;
      await db
        .insertInto('workflows')
        .values({
          id: 'wf-1',
          workspace_id: DEFAULT_WORKSPACE,
          name: 'Old',
          description: null,
          draft: '{"nodes":["é"]}',
          latest_version: 1,
          created_at: T0,
          updated_at: T0,
        })
        .execute();
      await db
        .insertInto('workflow_versions')
        .values({ workflow_id: 'wf-1', version: 1, definition: '{"v":1}', note: 'old', created_at: T0 })
        .execute();
      await db
        .insertInto('executions')
        .values({
          id: 'ex-1',
          workspace_id: DEFAULT_WORKSPACE,
          workflow_id: 'wf-1',
          workflow_version: 1,
          status: 'running',
          trigger: '{"kind":"manual"}',
          entry: null,
          input: '[1,2]',
          output: null,
          error: null,
          correlation_id: 'c',
          parent_id: null,
          replay: null,
          cancel_requested: 0,
          created_at: T0,
          started_at: T0 + 1,
          finished_at: null,
          lease_owner: 'old-runner',
          lease_epoch: 4,
          lease_expires_at: T0 + 10,
        })
        .execute();
      await sql`insert into node_runs (execution_id, node_id, scope, seq, status, attempts, outputs, error, started_at, finished_at)
                values ('ex-1', 'a', '', 1, 'succeeded', 1, '{"main":42}', null, ${T0 + 2}, ${T0 + 3})`.execute(
        db,
      );
      await db
        .insertInto('execution_events')
        .values({ execution_id: 'ex-1', seq: 1, type: 'execution.started', payload: '{}', at: T0 })
        .execute();
      await db
        .insertInto('timers')
        .values({ execution_id: 'ex-1', key: 'wait', fire_at: T0 + 99 })
        .execute();
      await connection.close();

      const store = await fixture.open(config);
      expect(await store.health()).toEqual({ ok: true });
      expect(await store.workflows.get(DEFAULT_WORKSPACE, 'wf-1')).toMatchObject({
        name: 'Old',
        draft: { nodes: ['é'] },
        latestVersion: 1,
      });
      expect(await store.workflows.getVersion(DEFAULT_WORKSPACE, 'wf-1', 1)).toMatchObject({
        definition: { v: 1 },
        note: 'old',
      });
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-1')).toMatchObject({
        status: 'running',
        input: [1, 2],
        leaseEpoch: 4,
      });
      expect(await store.nodeRuns.list('ex-1')).toEqual([
        {
          executionId: 'ex-1',
          nodeId: 'a',
          scope: '',
          seq: 1,
          status: 'succeeded',
          attempts: 1,
          input: null,
          outputs: { main: 42 },
          error: null,
          startedAt: T0 + 2,
          finishedAt: T0 + 3,
          tokensIn: null,
          tokensOut: null,
          costUsd: null,
        },
      ]);
      expect(await store.events.lastSeq('ex-1')).toBe(1);
      expect(await store.timers.getOrCreate('ex-1', 'wait', T0 + 500)).toBe(T0 + 99);
      // The old runner's lease has expired: a new runner takes over with the next epoch and goes on.
      const [resumed] = await store.executions.claim('new-runner', 1_000, T0 + 20, 1);
      expect(resumed).toMatchObject({ id: 'ex-1', leaseEpoch: 5, startedAt: T0 + 1 });
      const lease = { executionId: 'ex-1', owner: 'new-runner', epoch: 5 };
      const run = {
        executionId: 'ex-1',
        nodeId: 'b',
        scope: '',
        seq: 2,
        status: 'succeeded' as const,
        attempts: 1,
        input: { from: 'a' },
        outputs: { main: 1 },
        error: null,
        startedAt: T0 + 21,
        finishedAt: T0 + 22,
        tokensIn: 10,
        tokensOut: 20,
        costUsd: 0.5,
      };
      expect(await store.nodeRuns.checkpoint([{ lease, runs: [run] }])).toEqual([true]);
      expect((await store.nodeRuns.list('ex-1'))[1]).toEqual(run);
      // What 0002 and 0003 added works on the migrated data.
      await store.deadLetters.add({
        executionId: 'ex-1',
        workspaceId: DEFAULT_WORKSPACE,
        workflowId: 'wf-1',
        reason: { code: 'X', message: 'x' },
        createdAt: T0,
      });
      expect((await store.deadLetters.list(DEFAULT_WORKSPACE, { limit: 5 })).items).toHaveLength(1);
    });

    it('refuses a database that a newer release migrated, with SY_STORE_MIGRATION', async () => {
      const config = await fixture.database();
      const store = await fixture.open(config);
      await store.close();
      const connection = await fixture.connect(config);
      const table =
        connection.backend.migrationSchema === undefined
          ? 'kysely_migration'
          : `${connection.backend.migrationSchema}.kysely_migration`;
      await sql`insert into ${sql.table(table)} (name, timestamp) values ('0099_from_the_future', ${new Date().toISOString()})`.execute(
        connection.db,
      );
      await connection.close();
      const refused = fixture.open(config);
      await expect(refused).rejects.toMatchObject({ code: 'SY_STORE_MIGRATION' });
      await expect(refused).rejects.toThrow(/0099_from_the_future/);
    });

    it('reports pending or unknown migrations in health()', async () => {
      const config = await fixture.database();
      const store = await fixture.open(config);
      expect(await store.health()).toEqual({ ok: true });
      if (store.backend === 'sqlite') return; // one process holds the file: nobody else can change it
      const connection = await fixture.connect(config);
      const table = `${connection.backend.migrationSchema}.kysely_migration`;
      await sql`insert into ${sql.table(table)} (name, timestamp) values ('0099_from_the_future', ${new Date().toISOString()})`.execute(
        connection.db,
      );
      expect(await store.health()).toEqual({ ok: false, detail: 'unknown migrations: 0099_from_the_future' });
    });
  });
}
