/**
 * The embedded database admits one process: a second one gets SY_STORE_LOCKED naming the file, and
 * the lock dies with its process, so a SIGKILLed Switchyard leaves no stale lock and no damage.
 * Real child processes, real kills.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE_NAME } from '../../src/store/open-store.ts';
import { DEFAULT_WORKSPACE, type Store } from '../../src/store/ports.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'store-child.ts');

let dataDir: string;
const children: ChildProcess[] = [];
const stores: Store[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sy-lock-'));
});

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const store of stores.splice(0)) await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts the child; `lines` yields its stdout line by line. */
function startChild(...args: string[]) {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const next = await lines.next();
    if (next.done) throw new Error(`the child ended without output; stderr:\n${stderr}`);
    return next.value;
  };
  return { child, nextLine, exited, stderr: () => stderr };
}

async function open(): Promise<Store> {
  const store = await openStore({ dataDir });
  stores.push(store);
  return store;
}

function integrityCheck(): string {
  const database = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
  try {
    return String(database.prepare('PRAGMA integrity_check').get()?.integrity_check);
  } finally {
    database.close();
  }
}

describe('SQLite: one process per database file', () => {
  it('gives a second process SY_STORE_LOCKED, naming the file, and stays intact', async () => {
    const store = await open();
    await store.workflows.create({
      id: 'wf-1',
      workspaceId: DEFAULT_WORKSPACE,
      name: 'kept',
      draft: { a: 1 },
      now: 1,
    });
    const probe = startChild('probe', dataDir);
    const outcome = JSON.parse(await probe.nextLine()) as { ok: boolean; code?: string; message?: string };
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('SY_STORE_LOCKED');
    expect(outcome.message).toContain(join(dataDir, SQLITE_FILE_NAME));
    expect(await probe.exited).toBe(3);
    // The first process carries on as if nothing happened.
    await store.workflows.updateDraft(DEFAULT_WORKSPACE, 'wf-1', { draft: { a: 2 }, now: 2 });
    expect((await store.workflows.get(DEFAULT_WORKSPACE, 'wf-1'))?.draft).toEqual({ a: 2 });
    await store.close();
    expect(integrityCheck()).toBe('ok');
    const again = startChild('probe', dataDir);
    expect(JSON.parse(await again.nextLine())).toEqual({ ok: true });
  });

  it('frees the file when the holder is SIGKILLed mid-write, losing nothing it committed', async () => {
    const committed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const writer = startChild('write', dataDir, `r${round}`);
      expect(await writer.nextLine()).toBe('ready');
      if (round === 0)
        await expect(openStore({ dataDir })).rejects.toMatchObject({ code: 'SY_STORE_LOCKED' });
      const killAfter = 5 + Math.floor(Math.random() * 30);
      for (let seen = 0; seen < killAfter; seen++) {
        const line = await writer.nextLine();
        committed.push(line.replace(/^committed /, ''));
      }
      writer.child.kill('SIGKILL');
      await writer.exited;
    }
    expect(integrityCheck()).toBe('ok');
    const store = await open();
    for (const id of committed) {
      const execution = await store.executions.get(DEFAULT_WORKSPACE, id);
      expect(execution, id).toMatchObject({ status: 'succeeded', output: { i: Number(id.split('-')[1]) } });
      expect((await store.nodeRuns.list(id)).map((run) => run.nodeId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    }
  });
});
