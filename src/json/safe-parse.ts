/**
 * @module JSON text from outside (request bodies, model answers) into data, refusing the keys that
 * poison prototypes (`__proto__`, `constructor.prototype`): secure-json-parse, the parser Fastify
 * itself uses for bodies. A refused or malformed text throws a SyntaxError.
 */
import secureJson from 'secure-json-parse';

export function parseJsonSafely(text: string): unknown {
  return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}
