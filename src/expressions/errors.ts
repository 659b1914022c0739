/**
 * @module Maps whatever an evaluation threw (a JSONata error object, an ExpressionFault from a guard,
 * a RangeError from the JavaScript engine) to a SwitchyardError that names the expression.
 */
import type { ValuePath } from '../core/expressions/value-template.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { ExpressionFault } from './fault.ts';

/** JSONata codes that mean a limit was hit rather than the data being wrong. */
const jsonataCodes: Readonly<Record<string, ErrorCode>> = {
  D1012: 'SY_EXPR_TIMEOUT', // evaluation timeout
  D1011: 'SY_EXPR_LIMIT', // stack depth
  D2014: 'SY_EXPR_LIMIT', // range operator too large
  D2015: 'SY_EXPR_LIMIT', // sequence too long
};

const MAX_SOURCE_IN_MESSAGE = 200;

interface JsonataFailure {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly position?: unknown;
}

export function toExpressionError(thrown: unknown, source: string, path: ValuePath): SwitchyardError {
  if (thrown instanceof SwitchyardError) return thrown;
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as JsonataFailure;
  const jsonataCode =
    typeof failure.code === 'string' && /^[STD]\d{4}$/.test(failure.code) ? failure.code : undefined;
  const code = codeOf(thrown, jsonataCode);
  const reason =
    typeof failure.message === 'string' && failure.message !== '' ? failure.message : String(thrown);
  const where = path.length > 0 ? ` at ${formatPath(path)}` : '';
  return new SwitchyardError(code, `Expression {{ ${shorten(source)} }}${where} failed: ${reason}`, {
    ...(thrown instanceof ExpressionFault && thrown.hint !== undefined ? { hint: thrown.hint } : {}),
    ...(path.length > 0 ? { path: formatPath(path) } : {}),
    details: {
      expression: source,
      jsonataCode,
      position: typeof failure.position === 'number' ? failure.position : undefined,
    },
    ...causeOf(thrown),
  });
}

/** A compile failure: the source does not parse (normally caught earlier, when the workflow is validated). */
export function toCompileError(thrown: unknown, source: string, path: ValuePath): SwitchyardError {
  if (thrown instanceof ExpressionFault) return toExpressionError(thrown, source, path);
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as JsonataFailure;
  const reason = typeof failure.message === 'string' ? failure.message : String(thrown);
  return new SwitchyardError(
    'SY_WF_EXPRESSION',
    `Expression {{ ${shorten(source)} }} does not parse: ${reason}`,
    {
      ...(path.length > 0 ? { path: formatPath(path) } : {}),
      details: {
        expression: source,
        jsonataCode: typeof failure.code === 'string' ? failure.code : undefined,
        position: typeof failure.position === 'number' ? failure.position : undefined,
      },
      ...causeOf(thrown),
    },
  );
}

/**
 * Only foreign errors are kept as the cause: JSONata's error objects are already summarised in
 * `details`, and an ExpressionFault is just our carrier for the message.
 */
function causeOf(thrown: unknown): { cause?: unknown } {
  return thrown instanceof Error && !(thrown instanceof ExpressionFault) ? { cause: thrown } : {};
}

function codeOf(thrown: unknown, jsonataCode: string | undefined): ErrorCode {
  if (thrown instanceof ExpressionFault) return thrown.code;
  if (jsonataCode !== undefined) return jsonataCodes[jsonataCode] ?? 'SY_EXPR_EVAL';
  // The JavaScript engine's own limits: call stack, string length, array length.
  if (thrown instanceof RangeError) return 'SY_EXPR_LIMIT';
  return 'SY_EXPR_EVAL';
}

/** `headers["x-id"]`, `items[2].name`: the field inside the evaluated value. */
export function formatPath(path: ValuePath): string {
  let text = '';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) text += text === '' ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}

export function shorten(source: string): string {
  return source.length > MAX_SOURCE_IN_MESSAGE ? `${source.slice(0, MAX_SOURCE_IN_MESSAGE)}…` : source;
}
