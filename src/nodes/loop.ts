/**
 * @module `loop`: map over a list (forEach, with a concurrency limit) or repeat a body, feeding each
 * iteration's result into the next (repeat). Body nodes hang off the `item` port and lead back into
 * `next` (continue) or `break` (stop after this iteration); `done` fires when all iterations are over.
 */
import { z } from 'zod';
import type { NodeShape } from '../core/catalog.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode } from './node-type.ts';

const settingsSchema = z.object({
  mode: z.enum(['forEach', 'repeat']).default('forEach'),
  concurrency: z.int().min(1).max(1000).default(1),
  maxIterations: z.int().min(1).max(1_000_000).default(10_000),
});

export const loopNode = defineNode({
  type: 'loop',
  title: 'Loop',
  description:
    'forEach: runs the body once per item of `items` (default: the input), `concurrency` at a time, and outputs the list of results on `done`. repeat: runs the body again and again, each time on the previous result, until the body reaches `break` or `maxIterations`; outputs the last result.',
  category: 'flow',
  params: z.strictObject({
    items: z
      .array(z.unknown())
      .optional()
      .describe('forEach only: the list to map over; defaults to the input.'),
    mode: settingsSchema.shape.mode,
    concurrency: settingsSchema.shape.concurrency.describe('forEach: iterations in flight at once.'),
    maxIterations: settingsSchema.shape.maxIterations.describe(
      'forEach: most items accepted; repeat: most rounds.',
    ),
  }),
  staticParams: ['mode', 'concurrency', 'maxIterations'],
  shape: (params): NodeShape => {
    const settings = settingsSchema.parse({
      mode: params.mode,
      concurrency: params.concurrency,
      maxIterations: params.maxIterations,
    });
    return {
      role: 'loop',
      inputs: ['in', 'next', 'break'],
      outputs: ['done', 'item'],
      join: { kind: 'all' },
      loop: settings,
    };
  },
  run: async (_ctx, { params, input }) => {
    if (params.mode === 'repeat') return { item: input };
    const items = params.items ?? input;
    if (!Array.isArray(items)) {
      throw new SwitchyardError('SY_LOOP_ITEMS', `loop items must be a list, got ${describe(items)}`, {
        path: 'params.items',
      });
    }
    if (items.length > params.maxIterations) {
      throw new SwitchyardError(
        'SY_LOOP_ITEMS',
        `loop got ${items.length} items, more than maxIterations (${params.maxIterations})`,
        {
          hint: 'Raise `maxIterations`, or split the list.',
        },
      );
    }
    return { item: items };
  },
});

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
