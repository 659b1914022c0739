/**
 * @module `approval`: asks a person to approve, reject or edit data, and waits durably — the
 * execution sleeps in the store, survives restarts and holds no process — then goes on through
 * `approved` (with the data as approved) or `rejected`. A deadline decides for nobody.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode } from './node-type.ts';

export const approvalNode = defineNode({
  type: 'approval',
  title: 'Approval',
  description:
    'Waits for a person (POST /api/v1/approvals/{id}/decision): `approved` gets the data as approved (possibly ' +
    'edited), `rejected` the request. Works inside loops and parallel branches. Output: ' +
    '{ decision, data, comment, decidedBy, decidedAt, approvalId }.',
  category: 'flow',
  params: z.strictObject({
    title: z.string().min(1).max(200).describe('What to decide, as the person sees it.'),
    message: z.string().max(10_000).optional(),
    data: z.unknown().optional().describe('What the person reviews and may edit; the input when absent.'),
    timeoutMs: z
      .int()
      .min(1_000)
      .max(365 * 86_400_000)
      .optional()
      .describe('No deadline when absent.'),
    onTimeout: z
      .enum(['reject', 'approve', 'fail'])
      .default('reject')
      .describe('What a missed deadline means: go on as rejected, as approved (data unchanged), or fail.'),
  }),
  shape: { role: 'task', inputs: ['in'], outputs: ['approved', 'rejected'], join: { kind: 'all' } },
  run: async (ctx, { params, input }) => {
    const answer = await ctx.approval({
      title: params.title,
      message: params.message,
      data: params.data === undefined ? input : params.data,
      timeoutMs: params.timeoutMs,
    });
    if (answer.status === 'timed-out' && params.onTimeout === 'fail') {
      throw new SwitchyardError('SY_APPROVAL_TIMEOUT', `nobody decided "${params.title}" in time`, {
        details: { approvalId: answer.approvalId },
      });
    }
    const approved =
      answer.status === 'approved' || (answer.status === 'timed-out' && params.onTimeout === 'approve');
    const output = {
      decision: answer.status,
      data: answer.data,
      comment: answer.comment,
      decidedBy: answer.decidedBy,
      decidedAt: answer.decidedAt === null ? null : new Date(answer.decidedAt).toISOString(),
      approvalId: answer.approvalId,
    };
    return approved ? { approved: output } : { rejected: output };
  },
});
