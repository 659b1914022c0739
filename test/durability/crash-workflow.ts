/**
 * The crash test's workflow and its side-effecting node: each run counts itself in `runs`, waits a
 * while (so that kills land mid-node), then makes its effect once, keyed by ctx.idempotencyKey.
 */
import { z } from 'zod';
import { defineNode, taskShape } from '../../src/nodes/node-type.ts';

export interface EffectLedger {
  countRun(key: string): Promise<void>;
  /** Inserts the key unless present: the effect happens once however often the node runs. */
  recordEffect(key: string): Promise<void>;
}

export function effectNode(ledger: EffectLedger) {
  return defineNode({
    type: 'crash-effect',
    title: 'Side effect',
    description: 'Counts its runs, waits, and records its effect once per idempotency key.',
    category: 'data',
    params: z.strictObject({ add: z.int() }),
    shape: taskShape(),
    run: async (ctx, { params, input }) => {
      await ledger.countRun(ctx.idempotencyKey);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
      await ledger.recordEffect(ctx.idempotencyKey);
      const value = (input as { value: number }).value;
      return { out: { value: value + params.add } };
    },
  });
}

/** start → a → split → (b, c) → join → d: five effects per execution; output value = input + 1111 + sum. */
export const crashWorkflow = {
  format: 'switchyard/v1',
  name: 'crash',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'crash-effect', params: { add: 1 } },
    { id: 'split', type: 'parallel' },
    { id: 'b', type: 'crash-effect', params: { add: 10 } },
    { id: 'c', type: 'crash-effect', params: { add: 100 } },
    { id: 'join', type: 'merge', params: { mode: 'all' } },
    { id: 'sum', type: 'transform', params: { value: '{{ { "value": $sum($.value) } }}' } },
    { id: 'd', type: 'crash-effect', params: { add: 1000 } },
  ],
  edges: [
    { from: 'start', to: 'a' },
    { from: 'a', to: 'split' },
    { from: 'split', to: 'b' },
    { from: 'split', to: 'c' },
    { from: 'b', to: 'join' },
    { from: 'c', to: 'join' },
    { from: 'join', to: 'sum' },
    { from: 'sum', to: 'd' },
  ],
};

export const EFFECT_NODES = ['a', 'b', 'c', 'd'];

/** (v+1+10) + (v+1+100) + 1000 */
export function expectedOutput(input: number): number {
  return 2 * (input + 1) + 110 + 1000;
}
