/** @module `embeddings`: vectors for one text or many, from a configured embedding model, accounted in the ledger. */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const embeddingsNode = defineNode({
  type: 'embeddings',
  title: 'Embeddings',
  description:
    'Embeds `input` (a text or a list of texts) with `model`; outputs { embeddings, usage, costUsd, model }.',
  category: 'ai',
  params: z.strictObject({
    model: z.string().min(1).max(128).describe('A configured embedding model id.'),
    input: z.union([z.string().max(1_000_000), z.array(z.string().max(1_000_000)).min(1).max(2048)]),
  }),
  shape: taskShape(),
  run: async (ctx, { params }) => {
    const result = await ctx.llm.embed({
      model: params.model,
      input: typeof params.input === 'string' ? [params.input] : params.input,
    });
    return {
      out: {
        embeddings: result.embeddings,
        usage: result.usage,
        costUsd: result.costUsd,
        model: result.model,
      },
    };
  },
});
