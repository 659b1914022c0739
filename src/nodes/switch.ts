/** @module `switch`: n-way branch. The first matching case's port fires; otherwise `default`. */
import { z } from 'zod';
import { isDeepStrictEqual } from '../core/definition/deep-equal.ts';
import { defineNode, taskShape } from './node-type.ts';

const PORT = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

const caseSchema = z.strictObject({
  port: z
    .string()
    .regex(PORT)
    .refine((p) => p !== 'default' && p !== 'error', 'default and error are reserved ports'),
  equals: z.unknown().optional().describe('Matches when `value` deep-equals this.'),
  when: z.boolean().optional().describe('Matches when this {{ expression }} is true.'),
});

const paramsSchema = z.strictObject({
  value: z.unknown().optional().describe('The value compared with each case `equals`.'),
  cases: z
    .array(caseSchema)
    .min(1)
    .max(100)
    .refine((cases) => new Set(cases.map((c) => c.port)).size === cases.length, 'case ports must be unique'),
});

export const switchNode = defineNode({
  type: 'switch',
  title: 'Switch',
  description:
    'Routes the input to the port of the first case that matches (by `equals` or `when`), else to `default`.',
  category: 'flow',
  pure: true,
  params: paramsSchema,
  staticParams: ['cases'],
  shape: (params) => {
    const parsed = z.object({ cases: z.array(z.object({ port: z.string() })) }).safeParse(params);
    const ports = parsed.success ? parsed.data.cases.map((c) => c.port) : [];
    return taskShape([...ports, 'default']);
  },
  run: async (_ctx, { params, input }) => {
    for (const candidate of params.cases) {
      const byWhen = candidate.when === true;
      const byEquals = candidate.equals !== undefined && isDeepStrictEqual(candidate.equals, params.value);
      if (byWhen || byEquals) return { [candidate.port]: input };
    }
    return { default: input };
  },
});
