/** @module `parallel`: a visible fan-out point. Every edge from its `out` port runs at the same time. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const parallelNode = defineNode({
  type: 'parallel',
  title: 'Parallel',
  description: 'Passes its input to every connected branch at once; join them again with `merge`.',
  category: 'flow',
  params: z.strictObject({}),
  shape: taskShape(),
  run: async (_ctx, { input }) => ({ out: input }),
});
