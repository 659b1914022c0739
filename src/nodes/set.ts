/** @module `set`: adds or overwrites fields on the input object. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const setNode = defineNode({
  type: 'set',
  title: 'Set fields',
  description: 'Sets fields (values or {{ expressions }}) on the input object, or outputs only them.',
  category: 'data',
  pure: true,
  params: z.strictObject({
    fields: z
      .record(z.string(), z.unknown())
      .describe('Field name → value; values may be {{ expressions }}.'),
    keepInput: z
      .boolean()
      .default(true)
      .describe('Merge the fields into the input object (true) or output only the fields.'),
  }),
  shape: taskShape(),
  run: async (_ctx, { params, input }) => {
    const base = params.keepInput && isPlainObject(input) ? input : {};
    return { out: { ...base, ...params.fields } };
  },
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
