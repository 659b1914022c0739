/**
 * @module `code`: JavaScript in a QuickJS WebAssembly sandbox, with memory and time limits and no
 * host access. The source is the body of an async function with `input` in scope; it returns the output.
 */
import { z } from 'zod';
import { defineNode, taskShape } from './node-type.ts';

export const codeNode = defineNode({
  type: 'code',
  title: 'Code',
  description:
    'Runs JavaScript in a sandbox: `input` and `loops` (the enclosing loop iterations) are in scope; what it returns is the output.',
  category: 'code',
  params: z.strictObject({
    source: z
      .string()
      .min(1)
      .max(200_000)
      .describe('Body of an async function, e.g. "return input.items.length".'),
    timeoutMs: z.int().min(1).max(60_000).default(1000),
    memoryMb: z.int().min(1).max(512).default(32),
  }),
  rawParams: ['source'],
  shape: taskShape(),
  run: async (ctx, { params, input, loops }) => {
    const output = await ctx.code.run({
      source: params.source,
      input,
      globals: { loops },
      limits: { timeoutMs: params.timeoutMs, memoryBytes: params.memoryMb * 1024 * 1024 },
      signal: ctx.signal,
      onLog: (level, message) => ctx.log[level === 'log' ? 'info' : level](message),
    });
    return { out: output };
  },
});
