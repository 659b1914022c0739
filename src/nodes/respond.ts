/** @module `respond`: answers the caller waiting on this execution (a webhook, an API call), then goes on. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const respondNode = defineNode({
  type: 'respond',
  title: 'Respond',
  description:
    'Sends `body` (default: the input) with `status` and `headers` to whoever waits on the execution; the workflow continues.',
  category: 'flow',
  params: z.strictObject({
    status: z.int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
  }),
  shape: taskShape(),
  run: async (ctx, { params, input }) => {
    ctx.respond({
      status: params.status,
      headers: params.headers,
      body: params.body === undefined ? input : params.body,
    });
    return { out: input };
  },
});
