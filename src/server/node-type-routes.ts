/** @module /api/v1/node-types: the catalogue the UI builds its forms from — each type's parameters as JSON Schema, and its ports. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { NodeType } from '../nodes/node-type.ts';
import { problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';

const nodeTypeSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    role: z.enum(['entry', 'task', 'loop', 'end']),
    inputs: z.array(z.string()),
    outputs: z.array(z.string()).describe('Output ports, with the implicit `error` port last.'),
    staticParams: z
      .array(z.string())
      .describe('Parameters that shape the graph (their ports may depend on them): literals only.'),
    params: z.record(z.string(), z.unknown()).describe('The parameters, as JSON Schema (draft 2020-12).'),
  })
  .meta({ id: 'NodeType' });

function entryOf(type: NodeType): z.output<typeof nodeTypeSchema> {
  // Ports shown for default parameters; a type whose ports follow its static params says so above.
  const shape = type.shape({});
  return {
    type: type.type,
    title: type.title,
    description: type.description,
    category: type.category,
    role: shape.role,
    inputs: [...shape.inputs],
    outputs: [...shape.outputs, 'error'],
    staticParams: [...type.staticParams],
    params: z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}

export function nodeTypeRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  // The catalogue is fixed for the life of the process: build it once.
  const catalogue = { items: deps.catalog.all().map(entryOf) };
  return async (app) => {
    app.get(
      '/node-types',
      {
        schema: {
          operationId: 'listNodeTypes',
          summary: 'Every node type with its parameter schema, ports and description.',
          tags: ['node-types'],
          response: { 200: z.object({ items: z.array(nodeTypeSchema) }), ...problemAnswers },
        },
      },
      async () => catalogue,
    );
  };
}
