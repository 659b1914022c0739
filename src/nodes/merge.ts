/**
 * @module `merge`: joins parallel branches. all: waits for every branch; first: goes on with the first
 * that arrives; count: goes on once `count` branches arrived (and fails if fewer ever can).
 */
import { z } from 'zod';
import type { JoinPolicy } from '../core/catalog.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { defineNode } from './node-type.ts';

const joinSchema = z.object({
  mode: z.enum(['all', 'first', 'count']).default('all'),
  count: z.int().min(1).max(10_000).optional(),
});

export const mergeNode = defineNode({
  type: 'merge',
  title: 'Merge',
  description:
    'Joins branches. mode all: waits for all; first: the first to arrive; count: the first `count`. Output: a list in edge order, an object by source node id, or (mode first) the value itself.',
  category: 'flow',
  pure: true,
  params: z
    .strictObject({
      mode: joinSchema.shape.mode,
      count: joinSchema.shape.count.describe('mode count: how many branches to wait for.'),
      output: z.enum(['array', 'object']).default('array'),
    })
    .refine((p) => p.mode !== 'count' || p.count !== undefined, {
      message: 'mode count needs `count`',
      path: ['count'],
    }),
  staticParams: ['mode', 'count'],
  shape: (params) => {
    const { mode, count } = joinSchema.parse({ mode: params.mode, count: params.count });
    const join: JoinPolicy = mode === 'count' ? { kind: 'count', count: count ?? 1 } : { kind: mode };
    return { role: 'task', inputs: ['in'], outputs: ['out'], join };
  },
  run: async (_ctx, { params, arrivals }) => {
    if (params.mode === 'count' && arrivals.length < (params.count ?? 1)) {
      throw new SwitchyardError(
        'SY_MERGE_QUORUM',
        `merge needed ${params.count} branches, only ${arrivals.length} arrived`,
      );
    }
    const chosen = params.mode === 'count' ? arrivals.slice(0, params.count) : arrivals;
    if (params.mode === 'first' && params.output === 'array') return { out: chosen[0]?.value ?? null };
    if (params.output === 'object') return { out: Object.fromEntries(chosen.map((a) => [a.from, a.value])) };
    return { out: chosen.map((a) => a.value) };
  },
});
