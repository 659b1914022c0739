/**
 * @module A model's structured answer: its text parsed as JSON (refusing `__proto__` and
 * `constructor.prototype` keys) and checked against the JSON Schema the request asked for, through
 * Ajv (loaded on the first structured call). A miss is SY_LLM_OUTPUT_INVALID naming what is wrong;
 * it is retryable, so the chain asks again (or the next model) before giving up.
 */
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { LruCache } from '../../expressions/expression-cache.ts';
import { parseJsonSafely } from '../../json/safe-parse.ts';

type Validators = { getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> };

let validators: Promise<Validators> | undefined;
/**
 * By the schema's text, not its object: every request brings a new object, and Ajv compiles (and
 * keeps) each object it is given — by object, a validator per call and memory that only grows.
 */
const compiled = new LruCache<string, JsonSchemaValidator<unknown>>(500);

export async function structuredOutput(
  text: string,
  schema: Readonly<Record<string, unknown>>,
): Promise<unknown> {
  let value: unknown;
  try {
    value = parseJsonSafely(text);
  } catch (error) {
    throw invalid('the model answered, but not with JSON', text, error);
  }
  const validate = await validatorFor(schema);
  const result = validate(value);
  if (!result.valid) {
    // Ajv calls the value `data` ("data/city must be string"): here it is the answer.
    throw invalid(
      `the answer does not fit the schema: ${result.errorMessage.replace(/(^|, )data(?=[/ ]|$)/g, '$1answer')}`,
      text,
    );
  }
  return value;
}

async function validatorFor(
  schema: Readonly<Record<string, unknown>>,
): Promise<JsonSchemaValidator<unknown>> {
  // A `$id` would make Ajv answer a later schema with the same id from its first one, whoever sent it.
  const { $id: _id, ...anonymous } = schema;
  const key = JSON.stringify(anonymous);
  const known = compiled.get(key);
  if (known) return known;
  validators ??= import('@modelcontextprotocol/sdk/validation/ajv').then(
    (module) => new module.AjvJsonSchemaValidator(),
  );
  let validate: JsonSchemaValidator<unknown>;
  try {
    validate = (await validators).getValidator(anonymous as JsonSchemaType);
  } catch (error) {
    throw new SwitchyardError(
      'SY_LLM_REQUEST_INVALID',
      `the response schema cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  compiled.set(key, validate);
  return validate;
}

function invalid(message: string, text: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError('SY_LLM_OUTPUT_INVALID', message, {
    ...(cause === undefined ? {} : { cause }),
    details: { answer: text.slice(0, 2000) },
  });
}
