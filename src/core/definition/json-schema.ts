/**
 * @module The published JSON Schema of the workflow format, generated from the same Zod schemas that
 * validate files, with each node type's parameters spelled out. Wherever a parameter takes a value,
 * a `{{ expression }}` string is accepted too, since its type is known only when it runs.
 */
import { z } from 'zod';
import type { NodeCatalog } from '../catalog.ts';
import { WHOLE_EXPRESSION } from '../expressions/template.ts';
import { nodeSchema, WORKFLOW_FORMAT, workflowSchema } from './schema.ts';

type JsonSchema = Record<string, unknown>;

const EXPRESSION_REF = { $ref: '#/$defs/expression' };

export function workflowJsonSchema(catalog: NodeCatalog): JsonSchema {
  const nodeVariants = catalog.typeNames.map((type) => {
    const spec = catalog.get(type)!;
    const variant = nodeSchema.extend({ type: z.literal(type), params: spec.params.optional() });
    const json = toJson(variant);
    const properties = json.properties as Record<string, JsonSchema>;
    if (properties.params)
      properties.params = acceptExpressions(properties.params, new Set(spec.rawParams), true);
    return json;
  });
  const envelope = toJson(workflowSchema);
  const properties = envelope.properties as Record<string, JsonSchema>;
  properties.nodes = { ...properties.nodes, items: { anyOf: nodeVariants } };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://switchyard.dev/schema/workflow-v1.json',
    title: `Switchyard workflow (${WORKFLOW_FORMAT})`,
    ...withoutDialect(envelope),
    $defs: {
      expression: {
        type: 'string',
        pattern: WHOLE_EXPRESSION.source,
        description: 'A JSONata expression between {{ and }}, evaluated when the node runs.',
      },
    },
  };
}

function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function acceptExpressions(schema: JsonSchema, raw: ReadonlySet<string>, top = false): JsonSchema {
  let result = schema;
  if (schema.properties && typeof schema.properties === 'object') {
    const properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, JsonSchema>).map(([key, value]) => [
        key,
        top && raw.has(key) ? value : acceptExpressions(value, raw),
      ]),
    );
    result = { ...result, properties };
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    result = { ...result, items: acceptExpressions(schema.items as JsonSchema, raw) };
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    result = {
      ...result,
      additionalProperties: acceptExpressions(schema.additionalProperties as JsonSchema, raw),
    };
  }
  if (top || schema.type === 'string' || Object.keys(schema).length === 0) return result;
  return { anyOf: [result, EXPRESSION_REF] };
}
