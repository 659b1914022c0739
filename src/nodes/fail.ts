/** @module `fail`: fails on purpose with a message, to stop an execution or feed an error branch. */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode, taskShape } from './node-type.ts';

export const failNode = defineNode({
  type: 'fail',
  title: 'Fail',
  description: 'Fails with `message` (and optional `details`); retries do not apply.',
  category: 'flow',
  pure: true,
  params: z.strictObject({
    message: z.string().min(1).max(2000),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  shape: taskShape(),
  run: async (_ctx, { params }) => {
    throw new SwitchyardError(
      'SY_FAIL_NODE',
      params.message,
      params.details ? { details: params.details } : {},
    );
  },
});
