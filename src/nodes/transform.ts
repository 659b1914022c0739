/** @module `transform`: outputs a new value built from a template, typically one JSONata mapping. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const transformNode = defineNode({
  type: 'transform',
  title: 'Transform',
  description: 'Outputs `value`: any JSON, with {{ expressions }} (JSONata) anywhere inside.',
  category: 'data',
  pure: true,
  params: z.strictObject({
    value: z.unknown().describe("The output; e.g. \"{{ items.{ 'sku': sku, 'total': qty * price } }}\"."),
  }),
  shape: taskShape(),
  run: async (_ctx, { params }) => ({ out: params.value ?? null }),
});
