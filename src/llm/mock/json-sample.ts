/**
 * @module A small value that fits a JSON Schema, for structured-output requests no rule answers: enough for
 * the common shapes (objects, arrays, enums, scalars) that clients generate from zod; not a full validator's
 * counterpart. A script's `json` reply is the way to give a specific answer.
 */
import { isRecord } from './values.ts';

export function sampleOfSchema(schema: unknown, depth = 0): unknown {
  if (!isRecord(schema) || depth > 16) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0] ?? null;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleOfSchema(options[0], depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties))
        value[name] = sampleOfSchema(property, depth + 1);
      return value;
    }
    case 'array':
      return [];
    case 'string':
      return 'mock';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}
