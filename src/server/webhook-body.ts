/**
 * @module Webhook bodies: kept as raw bytes by the parser (a signature is over the exact bytes), then
 * decoded as data — JSON, form fields or text — once the signature is checked. Never evaluated.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { parseJsonSafely } from '../json/safe-parse.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Scoped to the webhook plugin: its routes take JSON, form and text bodies, as bytes, within the body limit. */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const keepBytes = (_request: FastifyRequest, body: Buffer, done: (error: null, body: Buffer) => void) =>
    done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBytes);
  app.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'buffer' }, keepBytes);
  app.addContentTypeParser(FORM_TYPE, { parseAs: 'buffer' }, keepBytes);
  app.addContentTypeParser(/^text\/[\w.+-]+$/, { parseAs: 'buffer' }, keepBytes);
}

/** The body as data: parsed JSON, form fields (an object of strings), text, or null when empty. */
export function decodeBody(raw: Buffer, contentType: string | undefined, maxDepth: number): unknown {
  if (raw.length === 0) return null;
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (essence === FORM_TYPE) return Object.fromEntries(new URLSearchParams(text));
  if (!JSON_TYPE.test(essence)) return text;
  let value: unknown;
  try {
    value = parseJsonSafely(text);
  } catch (error) {
    throw new SwitchyardError(
      'SY_HTTP_MALFORMED',
      `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (deeperThan(value, maxDepth)) {
    throw new SwitchyardError('SY_HTTP_MALFORMED', `The JSON body nests deeper than ${maxDepth} levels.`);
  }
  return value;
}

/** Iterative, like the API's JSON parser: measuring a hostile body must not itself recurse. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
