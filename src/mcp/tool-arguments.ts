/**
 * @module Checks a model's arguments against a tool's input schema (JSON Schema, through the MCP
 * SDK's own Ajv validator) before the call goes out, so a wrong argument costs no call and comes
 * back as an error that names the field, which a model can read and correct.
 */

import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { SwitchyardError } from '../errors/switchyard-error.ts';

export type ArgumentsCheck = (args: Record<string, unknown>) => void;

const ajv = new AjvJsonSchemaValidator();

/** The check for one tool; a schema Ajv cannot compile is the server's fault and fails with SY_OUTBOUND_FAILED. */
export function argumentsCheck(tool: string, schema: JsonSchemaType): ArgumentsCheck {
  let validate: JsonSchemaValidator<unknown>;
  try {
    validate = ajv.getValidator(schema);
  } catch (error) {
    throw new SwitchyardError(
      'SY_OUTBOUND_FAILED',
      `the MCP server declared an input schema for tool "${tool}" that cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      { retryable: false },
    );
  }
  return (args) => {
    const result = validate(args);
    if (result.valid) return;
    // Ajv calls the value `data` ("data/city must be string"): for the model it is the arguments.
    const problems = result.errorMessage.replace(/(^|, )data(?=[/ ]|$)/g, '$1arguments');
    throw new SwitchyardError('SY_INPUT_INVALID', `invalid arguments for tool "${tool}": ${problems}`, {
      hint: "Correct the named arguments to fit the tool's input schema and call it again.",
      details: { tool, problems },
    });
  };
}
