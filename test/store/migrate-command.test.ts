/** `switchyard migrate`: applies what is pending, says what it applied, and fails with exit 1 and a reason. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateCommand } from '../../src/cli/commands/migrate.ts';
import { closeAdmin, createSchema, dropSchema, urlWithSchema } from './postgres-server.ts';

let dataDir: string;
let stdout: string;
let stderr: string;
const saved = { url: process.env.SWITCHYARD_DATABASE_URL, dir: process.env.SWITCHYARD_DATA_DIR };

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sy-migrate-'));
  process.env.SWITCHYARD_DATA_DIR = join(dataDir, 'nested', 'data');
  delete process.env.SWITCHYARD_DATABASE_URL;
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const [key, value] of [
    ['SWITCHYARD_DATABASE_URL', saved.url],
    ['SWITCHYARD_DATA_DIR', saved.dir],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(dataDir, { recursive: true, force: true });
});

afterAll(closeAdmin);

describe('switchyard migrate', () => {
  it('creates the SQLite database, lists the migrations it applied, then says it is up to date', async () => {
    expect(await migrateCommand({})).toBe(0);
    expect(stdout).toContain(join(dataDir, 'nested', 'data', 'switchyard.db'));
    expect(stdout).toMatch(/9 migrations[\s\S]*0001_initial[\s\S]*0009_conversations/);
    stdout = '';
    expect(await migrateCommand({})).toBe(0);
    expect(stdout).toMatch(/up to date at 0009_conversations/);
  });

  it('prints a JSON report with --json', async () => {
    expect(await migrateCommand({ json: true })).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      backend: 'sqlite',
      location: join(dataDir, 'nested', 'data', 'switchyard.db'),
      applied: [
        '0001_initial',
        '0002_accounting_and_operations',
        '0003_node_run_input',
        '0004_webhooks_and_idempotency',
        '0005_identity_and_secrets',
        '0006_llm_gateway',
        '0007_approvals',
        '0008_node_steps',
        '0009_conversations',
      ],
      current: '0009_conversations',
    });
  });

  it('migrates the PostgreSQL database that SWITCHYARD_DATABASE_URL names', async () => {
    const schema = await createSchema();
    try {
      process.env.SWITCHYARD_DATABASE_URL = urlWithSchema(schema);
      expect(await migrateCommand({ json: true })).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({
        backend: 'postgres',
        applied: [
          '0001_initial',
          '0002_accounting_and_operations',
          '0003_node_run_input',
          '0004_webhooks_and_idempotency',
          '0005_identity_and_secrets',
          '0006_llm_gateway',
          '0007_approvals',
          '0008_node_steps',
          '0009_conversations',
        ],
      });
    } finally {
      await dropSchema(schema);
    }
  });

  it('exits 1 with the code and the reason when the database cannot be reached', async () => {
    process.env.SWITCHYARD_DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    expect(await migrateCommand({})).toBe(1);
    expect(stderr).toContain('SY_STORE_UNAVAILABLE');
    expect(stderr).toContain('127.0.0.1:1');
    stdout = '';
    expect(await migrateCommand({ json: true })).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'SY_STORE_UNAVAILABLE' } });
  });
});
