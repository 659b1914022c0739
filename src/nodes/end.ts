/** @module `end`: finishes the execution now with `output`; branches still running are stopped. */
import { z } from 'zod';
import { defineNode } from './node-type.ts';

export const endNode = defineNode({
  type: 'end',
  title: 'End',
  description: 'Ends the execution successfully with `output` (default: the input) as its output.',
  category: 'flow',
  pure: true,
  params: z.strictObject({ output: z.unknown().optional() }),
  shape: { role: 'end', inputs: ['in'], outputs: ['out'], join: { kind: 'all' } },
  run: async (_ctx, { params, input }) => ({
    out: params.output === undefined ? (input ?? null) : params.output,
  }),
});
