/** @module `subworkflow`: runs another workflow to completion and outputs its output. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const subworkflowNode = defineNode({
  type: 'subworkflow',
  title: 'Sub-workflow',
  description:
    'Runs the workflow named by `workflow` with `input` (default: this input): in the server, the id of a published ' +
    'workflow of the same workspace (`id` or `id@version`); in `switchyard run`, a file path relative to this one.',
  category: 'workflow',
  params: z.strictObject({
    workflow: z
      .string()
      .min(1)
      .describe(
        'Server: a workflow id of this workspace (`id@3` pins a version). CLI: a file path relative to this file.',
      ),
    input: z.unknown().optional(),
  }),
  shape: taskShape(),
  run: async (ctx, { params, input }) => ({
    out: await ctx.runWorkflow(params.workflow, params.input === undefined ? input : params.input),
  }),
});
