/** @module `start`: the manual/API entry node. Its output is the execution input. */
import { z } from 'zod';
import { defineNode } from './node-type.ts';

export const startNode = defineNode({
  type: 'start',
  title: 'Start',
  description: 'Starts the workflow by hand or through the API; outputs the execution input.',
  category: 'trigger',
  pure: true,
  params: z.strictObject({}),
  shape: { role: 'entry', inputs: [], outputs: ['out'], join: { kind: 'all' } },
  run: async (_ctx, { input }) => ({ out: input ?? null }),
});
