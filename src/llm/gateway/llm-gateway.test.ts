/**
 * When a call's ledger row is written relative to its answer: a call without a budget answers while
 * its row joins the next commit, a budgeted call waits for it; reads in this process, and closing,
 * wait for every row; a row that cannot be written is reported, not dropped in silence.
 * Real SQLite store, real upstream over HTTP; only the ledger's commit is held back on command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCall } from '../../store/llm-ports.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/ports.ts';
import { parseLlmConfig } from '../config/load-llm-config.ts';
import { type MockLlmServer, startMockLlmServer } from '../mock/mock-llm-server.ts';
import type { LlmGateway } from './llm-gateway.ts';
import { openLlmGateway } from './open-gateway.ts';

let upstream: MockLlmServer;
let store: Store;
let dataDir: string;

beforeAll(async () => {
  upstream = await startMockLlmServer();
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
  store = await openStore({ dataDir });
});
afterAll(async () => {
  await store.close();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A store whose ledger commits wait until `release` (or fail with `failWith`). */
function heldLedger() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let failure: Error | undefined;
  const held: Store = {
    ...store,
    ledger: {
      ...store.ledger,
      recordMany: async (entries) => {
        await released;
        if (failure) throw failure;
        await store.ledger.recordMany(entries);
      },
    },
  };
  return {
    store: held,
    release,
    failWith(error: Error) {
      failure = error;
      release();
    },
  };
}

const workspaceId = 'default';
const lost: { error: unknown; call: LlmCall }[] = [];
let gateway: LlmGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  lost.length = 0;
});

function gatewayOver(over: Store): LlmGateway {
  gateway = openLlmGateway({
    config: parseLlmConfig(
      {
        providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` }],
        models: [
          {
            id: 'cheap',
            provider: 'local',
            model: 'mock-cheap',
            price: { inputPerMTok: 1, outputPerMTok: 2 },
          },
        ],
      },
      'test',
    ),
    store: over,
    now: Date.now,
    random: Math.random,
    onLedgerLost: (error, call) => lost.push({ error, call }),
  });
  return gateway;
}

const ask = (on: LlmGateway, text: string) =>
  on.generate({ model: 'cheap', messages: [{ role: 'user', content: text }] }, { workspaceId });

const rowsOf = async (model: string) =>
  (await store.ledger.list(workspaceId, { limit: 500 })).items.filter((row) => row.model === model);

const settledWithin = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

describe('the ledger behind the answer', () => {
  it('answers a call without a budget before its row is committed; ledgerWritten waits for the row', async () => {
    const held = heldLedger();
    const on = gatewayOver(held.store);
    const before = (await rowsOf('cheap')).length;

    const answer = await ask(on, 'hello');
    expect(answer.text.length).toBeGreaterThan(0);
    expect(await rowsOf('cheap')).toHaveLength(before);
    const written = on.ledgerWritten();
    expect(await settledWithin(written, 50)).toBe(false);

    held.release();
    await written;
    const rows = await rowsOf('cheap');
    expect(rows).toHaveLength(before + 1);
    expect(rows[0]).toMatchObject({ status: 'succeeded', inputTokens: answer.usage.inputTokens });
    expect(lost).toEqual([]);
  });

  it('makes a budgeted call wait for its row, which settles the reservation', async () => {
    await store.budgets.set({
      id: 'ledger-test-budget',
      workspaceId,
      workflowId: null,
      period: 'day',
      limitMicros: 10_000_000,
      now: Date.now(),
    });
    try {
      const held = heldLedger();
      const on = gatewayOver(held.store);
      const answering = ask(on, 'within budget');
      expect(await settledWithin(answering, 300)).toBe(false);
      held.release();
      await answering;
    } finally {
      await store.budgets.delete(workspaceId, 'ledger-test-budget');
    }
  });

  it('reports a row it could not write, with the call, instead of dropping it in silence', async () => {
    const held = heldLedger();
    const on = gatewayOver(held.store);
    await ask(on, 'doomed row');
    held.failWith(new Error('disk full'));
    await on.ledgerWritten();
    expect(lost).toHaveLength(1);
    expect(lost[0]?.error).toMatchObject({ message: 'disk full' });
    expect(lost[0]?.call).toMatchObject({ model: 'cheap', status: 'succeeded', workspaceId });
  });

  it('writes every answered call before close resolves', async () => {
    const held = heldLedger();
    const on = gatewayOver(held.store);
    const before = (await rowsOf('cheap')).length;
    await Promise.all([ask(on, 'one'), ask(on, 'two'), ask(on, 'three')]);
    const closing = on.close();
    expect(await settledWithin(closing, 50)).toBe(false);
    held.release();
    await closing;
    expect(await rowsOf('cheap')).toHaveLength(before + 3);
  });

  it('gives rows ids in the order of the calls, so each commit appends to the id index', async () => {
    const on = gatewayOver(store);
    for (const text of ['first', 'second', 'third']) {
      await ask(on, `in order: ${text}`);
      // Ids order by their millisecond; within one they are random.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await on.ledgerWritten();
    const newestFirst = (await rowsOf('cheap')).slice(0, 3);
    const ids = newestFirst.map((row) => row.id).reverse();
    expect(ids).toEqual(ids.toSorted());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
  });
});
