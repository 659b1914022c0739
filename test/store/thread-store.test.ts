/** The embedded store's thread, as the rest of the process sees it: errors, bad arguments, closing. */
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors/switchyard-error.ts';
import { openStore } from '../../src/store/open-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open() {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-thread-'));
  dirs.push(dataDir);
  return openStore({ dataDir });
}

describe('the embedded store’s thread', () => {
  it('hands back a store error as a SwitchyardError with its code and hint', async () => {
    const store = await open();
    const workflow = { id: 'wf', workspaceId: 'default', name: 'wf', draft: {}, now: 1 };
    await store.workflows.create(workflow);
    const again = await store.workflows.create(workflow).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(SwitchyardError);
    expect(again).toMatchObject({ code: 'SY_STORE_CONFLICT' });
    expect((again as SwitchyardError).hint).not.toBe('');
    await store.close();
  });

  it('refuses arguments that cannot cross to the thread, and goes on working', async () => {
    const store = await open();
    const notData = (() => 'wf') as unknown as string;
    await expect(store.workflows.get('default', notData)).rejects.toMatchObject({ name: 'DataCloneError' });
    expect(await store.health()).toEqual({ ok: true });
    await store.close();
  });

  it('lets go of the file on close, so the next opener gets it, and refuses calls after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-thread-'));
    dirs.push(dataDir);
    const first = await openStore({ dataDir });
    await first.close();
    await expect(first.workflows.get('default', 'wf')).rejects.toThrow(/store's thread has stopped/);
    const second = await openStore({ dataDir });
    expect(await second.health()).toEqual({ ok: true });
    await second.close();
  });

  it('reports a database another process holds as SY_STORE_LOCKED, from the thread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-thread-'));
    dirs.push(dataDir);
    const holder = await openStore({ dataDir });
    // A second open in this process takes a second connection: the file lock refuses it as it
    // would another process.
    await expect(openStore({ dataDir })).rejects.toMatchObject({ code: 'SY_STORE_LOCKED' });
    await holder.close();
  });

  it('when its thread stops unexpectedly: says so once, with the exit code, and every later call fails', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-thread-'));
    dirs.push(dataDir);
    const stops: Error[] = [];
    const store = await openStore({ dataDir }, { onStopped: (error) => stops.push(error) });
    expect(await store.health()).toEqual({ ok: true });
    await exitStoreThread(3);
    await expect(store.health()).rejects.toThrow("the store's thread has stopped (exit 3)");
    await expect(store.workflows.get('default', 'wf')).rejects.toThrow(/has stopped/);
    expect(stops.map((error) => error.message)).toEqual(["the store's thread has stopped (exit 3)"]);
    await store.close();
  });
});

/**
 * Ends the store's thread from inside, as a crash would (through the inspector, which reaches the
 * worker threads this thread started): nothing in the product offers a way to.
 */
async function exitStoreThread(code: number): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    const attached = new Promise<string>((resolve) =>
      session.on('NodeWorker.attachedToWorker', ({ params }) => {
        if (params.workerInfo.url.includes('store-thread')) resolve(params.sessionId);
      }),
    );
    await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const sessionId = await attached;
    const gone = new Promise((resolve) => session.on('NodeWorker.detachedFromWorker', resolve));
    const evaluate = { id: 1, method: 'Runtime.evaluate', params: { expression: `process.exit(${code})` } };
    await session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify(evaluate) });
    await gone;
  } finally {
    session.disconnect();
  }
}
