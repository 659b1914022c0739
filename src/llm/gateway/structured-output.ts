/**
 * @module A model's structured answer: its text parsed as JSON (refusing `__proto__` and
 * `constructor.prototype` keys) and checked against the JSON Schema the request asked for, through
 * Ajv (loaded on the first structured call). A miss is SY_LLM_OUTPUT_INVALID naming what is wrong;
 * it is retryable, so the chain asks again (or the next model) before giving up.
 */
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { parseJsonSafely } from '../../json/safe-parse.ts';

type Validators = { getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> };

let validators: Promise<Validators> | undefined;
const compiled = new WeakMap<object, JsonSchemaValidator<unknown>>();

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
  const known = compiled.get(schema);
  if (known) return known;
  validators ??= import('@modelcontextprotocol/sdk/validation/ajv').then(
    (module) => new module.AjvJsonSchemaValidator(),
  );
  let validate: JsonSchemaValidator<unknown>;
  try {
    validate = (await validators).getValidator(schema as JsonSchemaType);
  } catch (error) {
    throw new SwitchyardError(
      'SY_LLM_REQUEST_INVALID',
      `the response schema cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  compiled.set(schema, validate);
  return validate;
}

function invalid(message: string, text: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError('SY_LLM_OUTPUT_INVALID', message, {
    ...(cause === undefined ? {} : { cause }),
    details: { answer: text.slice(0, 2000) },
  });
}
