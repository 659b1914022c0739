/**
 * @module The only body parser: JSON, through Fastify's own parser (which refuses `__proto__`
 * poisoning), then a nesting-depth check, so that a deeply nested body cannot exhaust the stack of
 * whatever walks it later. Any other content type is refused with 415 by Fastify itself.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchyardError } from '../errors/switchyard-error.ts';

export function acceptJsonOnly(app: FastifyInstance, maxDepth: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs: 'string' makes the body a string.
    parseJson(request, body as string, (error, value) => {
      if (error) {
        done(
          new SwitchyardError('SY_HTTP_MALFORMED', `The body is not valid JSON: ${error.message}`, {
            cause: error,
          }),
          undefined,
        );
        return;
      }
      if (depthOf(value, maxDepth) > maxDepth) {
        done(
          new SwitchyardError('SY_HTTP_MALFORMED', `The JSON body nests deeper than ${maxDepth} levels.`),
          undefined,
        );
        return;
      }
      done(null, value);
    });
  });
}

/** Iterative, so that measuring a hostile body is not itself a recursion; stops once past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
