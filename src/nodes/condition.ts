/** @module `condition`: if/else. Passes its input on through the `true` or the `false` port. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const conditionNode = defineNode({
  type: 'condition',
  title: 'If / else',
  description: 'Sends the input to `true` or `false` depending on `condition`, a boolean {{ expression }}.',
  category: 'flow',
  pure: true,
  params: z.strictObject({
    condition: z.boolean().describe('e.g. "{{ total > 100 }}"; must evaluate to true or false.'),
  }),
  shape: taskShape(['true', 'false']),
  run: async (_ctx, { params, input }) => (params.condition ? { true: input } : { false: input }),
});
