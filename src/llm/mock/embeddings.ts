/**
 * @module Deterministic embeddings: a unit vector seeded by a hash of the text, so the same text always
 * embeds the same and different texts almost never do. Served as OpenAI's `/v1/embeddings` list, as floats
 * or, as the official client asks by default, base64 of little-endian float32.
 */
import { estimateTokens } from './answer.ts';
import { isRecord, positiveIntegerOf } from './values.ts';

const DEFAULT_DIMENSIONS = 256;
const MAX_DIMENSIONS = 8192;

/** FNV-1a: cheap, and spreads short strings well enough to seed the generator. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function embed(text: string, dimensions = DEFAULT_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  // mulberry32: a tiny seeded generator, good enough for vectors nobody reads.
  let state = hashOf(text);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const value = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale;
  return vector;
}

export interface EmbeddingsRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly dimensions: number;
  readonly base64: boolean;
}

/** The request, or why it is not one (a 400). Token-array inputs embed as their JSON text. */
export function readEmbeddingsRequest(body: unknown): EmbeddingsRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  const { model, input } = body;
  if (typeof model !== 'string' || model === '') return 'you must provide a model parameter';
  const list =
    typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'number') ? [input] : input;
  if (!Array.isArray(list) || list.length === 0) return "'input' must be a string or a non-empty array";
  const dimensions = body.dimensions === undefined ? DEFAULT_DIMENSIONS : positiveIntegerOf(body.dimensions);
  if (dimensions === undefined || dimensions > MAX_DIMENSIONS) {
    return `'dimensions' must be an integer from 1 to ${MAX_DIMENSIONS}`;
  }
  return {
    model,
    inputs: list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))),
    dimensions,
    base64: body.encoding_format === 'base64',
  };
}

export function embeddingsResponse(request: EmbeddingsRequest): unknown {
  let chars = 0;
  const data = request.inputs.map((text, index) => {
    chars += text.length;
    const vector = embed(text, request.dimensions);
    return {
      object: 'embedding',
      index,
      embedding: request.base64
        ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
        : Array.from(vector),
    };
  });
  const tokens = estimateTokens(chars);
  return {
    object: 'list',
    data,
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
