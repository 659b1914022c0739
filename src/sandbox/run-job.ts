/** @module Turns a run request into the JSON-only job the worker receives. */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { RunJob } from './protocol.ts';
import type { CodeLimits, CodeRunRequest } from './types.ts';

/** A plain identifier, so the code can name the global directly. */
const globalName = /^[A-Za-z_$][\w$]*$/;

export function toRunJob(request: CodeRunRequest, limits: CodeLimits): RunJob {
  const globals = request.globals ?? {};
  for (const name of Object.keys(globals)) {
    if (!globalName.test(name) || name === 'input') {
      throw new SwitchyardError('SY_INTERNAL', `"${name}" cannot be bound as a global of the code.`, {
        details: { name },
      });
    }
  }
  return {
    source: request.source,
    inputJson: toJson(request.input, 'input'),
    globalsJson: toJson(globals, 'globals'),
    limits,
  };
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    throw new SwitchyardError('SY_INTERNAL', `The code's ${what} is not JSON.`, { cause: error });
  }
}
