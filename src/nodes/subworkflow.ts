/** @module `subworkflow`: runs another workflow to completion and outputs its output. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const subworkflowNode = defineNode({
  type: 'subworkflow',
  title: 'Sub-workflow',
  description:
    'Runs the workflow named by `workflow` (a file path relative to this one) with `input` (default: this input).',
  category: 'workflow',
  params: z.strictObject({
    workflow: z.string().min(1).describe('Path of the workflow file, relative to the parent workflow file.'),
    input: z.unknown().optional(),
  }),
  shape: taskShape(),
  run: async (ctx, { params, input }) => ({
    out: await ctx.runWorkflow(params.workflow, params.input === undefined ? input : params.input),
  }),
});
