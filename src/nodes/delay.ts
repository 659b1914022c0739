/** @module `delay`: waits for a duration or until a moment, then passes its input on. */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode, taskShape } from './node-type.ts';

const MAX_DELAY_MS = 31 * 86_400_000;

export const delayNode = defineNode({
  type: 'delay',
  title: 'Delay',
  description: 'Waits `ms` milliseconds, or until `until` (an ISO 8601 time), then outputs its input.',
  category: 'flow',
  params: z
    .strictObject({
      ms: z.int().min(0).max(MAX_DELAY_MS).optional(),
      until: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((p) => (p.ms === undefined) !== (p.until === undefined), {
      message: 'give exactly one of `ms` and `until`',
    }),
  shape: taskShape(),
  run: async (ctx, { params, input }) => {
    const wait = params.ms ?? Date.parse(params.until!) - ctx.now();
    if (wait > MAX_DELAY_MS) {
      throw new SwitchyardError('SY_NODE_PARAMS_INVALID', `delay of ${wait} ms is longer than 31 days`, {
        path: 'params.until',
      });
    }
    if (wait > 0) await ctx.sleep(wait);
    return { out: input };
  },
});
