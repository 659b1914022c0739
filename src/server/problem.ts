/**
 * @module Errors as `application/problem+json` (RFC 9457): every failure — a SwitchyardError, a
 * schema violation, a malformed body, an unknown route — becomes one shape with a stable SY_ code.
 * Unexpected errors say nothing about their insides: no message, no stack.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, errorInfo } from '../errors/codes.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const fieldErrorSchema = z.object({
  path: z.string().describe('Where: `body.definition.nodes[0]`, `querystring.limit`, `nodes[2].params.ms`…'),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the error code: urn:switchyard:error:SY_…'),
    title: z.string().describe('What the code means, the same for every occurrence.'),
    status: z.int(),
    detail: z.string().describe('What went wrong this time.'),
    code: z.string().describe('The stable error code (docs/errors.md).'),
    instance: z.string().optional(),
    path: z.string().optional(),
    hint: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.output<typeof problemSchema>;
type FieldError = z.output<typeof fieldErrorSchema>;

/** The response entry every route declares for its 4xx and 5xx answers (for the OpenAPI document). */
export const problemResponse = {
  description: 'A problem (RFC 9457) with a stable SY_ code.',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
};

export function problemOf(
  code: ErrorCode,
  detail: string,
  extra: { instance?: string; path?: string; hint?: string; errors?: FieldError[] } = {},
): Problem {
  const info = errorInfo(code);
  return {
    type: `urn:switchyard:error:${code}`,
    title: info.summary,
    status: info.status,
    detail,
    code,
    ...(extra.instance === undefined ? {} : { instance: extra.instance }),
    ...(extra.path === undefined ? {} : { path: extra.path }),
    hint: extra.hint ?? info.hint,
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  // Our own serializer: a route's response schemas describe its successes, not this shape.
  return reply
    .status(problem.status)
    .type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .serializer((payload) => JSON.stringify(payload))
    .send(problem);
}

/** The one error handler: maps whatever was thrown to a problem. */
export function problemForError(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url.split('?')[0] ?? request.url;
  if (error instanceof SwitchyardError) {
    return problemOf(error.code, error.message, {
      instance,
      hint: error.hint,
      ...(error.path === undefined ? {} : { path: error.path }),
      ...problemsIn(error),
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'request';
    const errors = error.validation.flatMap((issue) => fieldErrorsOf(context, issue));
    return problemOf('SY_HTTP_VALIDATION', `${errors.length} field(s) break the request schema`, {
      instance,
      errors,
      ...(errors[0] ? { path: errors[0].path } : {}),
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.statusCode === 413)
    return problemOf('SY_HTTP_BODY_TOO_LARGE', 'The request body is too large.', { instance });
  if (fastifyError.statusCode === 415)
    return problemOf('SY_HTTP_CONTENT_TYPE', 'This content type is not accepted.', { instance });
  if (
    typeof fastifyError.code === 'string' &&
    fastifyError.code.startsWith('FST_ERR_CTP_') &&
    fastifyError.statusCode === 400
  ) {
    return problemOf('SY_HTTP_MALFORMED', fastifyError.message ?? 'The body cannot be read.', { instance });
  }
  return problemOf('SY_INTERNAL', 'An unexpected error occurred; it has been logged.', { instance });
}

/** `SY_WF_INVALID` carries the validation problems in `details.problems`: they become `errors`. */
function problemsIn(error: SwitchyardError): { errors?: FieldError[] } {
  const list = error.details?.problems;
  if (!Array.isArray(list)) return {};
  return {
    errors: list.map((p: { path: string; code: string; message: string; hint: string }) => ({
      path: p.path,
      code: p.code,
      message: p.message,
      hint: p.hint,
    })),
  };
}

/** An unknown field is named in the path itself, one entry per field, so a client can point at it. */
function fieldErrorsOf(
  context: string,
  issue: { keyword: string; instancePath: string; message?: string; params: Record<string, unknown> },
): FieldError[] {
  const base = joinPath(context, issue.instancePath);
  const message = issue.message ?? 'invalid value';
  const keys = issue.params.keys;
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
    return keys.map((key) => ({
      path: `${base}.${String(key)}`,
      code: issue.keyword,
      message: 'unknown field',
    }));
  }
  return [{ path: base, code: issue.keyword, message }];
}

function joinPath(context: string, instancePath: string): string {
  const segments = instancePath.split('/').filter(Boolean);
  return segments.reduce(
    (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`),
    context,
  );
}
