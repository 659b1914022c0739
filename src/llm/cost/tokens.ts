/**
 * @module Prompt token counts for budget checks, with a real BPE tokenizer (gpt-tokenizer). OpenAI
 * models get their own encoding and an exact count; Anthropic, Google and local models publish no
 * JavaScript tokenizer, so o200k_base stands in and the count is marked inexact.
 *
 * The encodings are megabytes of rank tables (o200k_base loads in ~170 ms), so each is loaded on
 * first use, synchronously through `require`, and kept.
 */
import { createRequire } from 'node:module';

export interface ChatMessageLike {
  readonly role: string;
  readonly content: string | readonly { readonly type: string; readonly text?: string }[];
}

type EncodingName = 'o200k_base' | 'cl100k_base';
/** The part of a gpt-tokenizer encoding module used here. */
interface Tokenizer {
  countTokens(text: string, options?: { readonly disallowedSpecial?: ReadonlySet<string> }): number;
}

const require = createRequire(import.meta.url);
const loaded = new Map<EncodingName, Tokenizer>();

function tokenizer(name: EncodingName): Tokenizer {
  let encoding = loaded.get(name);
  if (encoding === undefined) {
    encoding = require(`gpt-tokenizer/encoding/${name}`) as Tokenizer;
    loaded.set(name, encoding);
  }
  return encoding;
}

/** Special-token text such as `<|endoftext|>` in a prompt is ordinary text to the API: count it so. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** OpenAI's chat format: each message costs 3 tokens of framing, the reply is primed with 3 more. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

/** Which encoding a model uses, and whether it is the model's own; `provider/model` ids work. */
function encodingFor(model: string): { name: EncodingName; exact: boolean } {
  const id = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  if (/^(?:gpt-4o|gpt-4\.[1-9]|gpt-5|o[1-9](?:-|$)|chatgpt-4o)/.test(id))
    return { name: 'o200k_base', exact: true };
  if (/^(?:gpt-4|gpt-3\.5|text-embedding-(?:3|ada-002))/.test(id))
    return { name: 'cl100k_base', exact: true };
  return { name: 'o200k_base', exact: false };
}

export function countTextTokens(text: string, model: string): number {
  return tokenizer(encodingFor(model).name).countTokens(text, AS_TEXT);
}

/**
 * Tokens a chat request sends: per-message framing, role, text content, reply priming, and the tool
 * definitions as JSON. Providers render tools in their own format, so a count with tools, or with
 * non-text parts (images, files: not counted), is marked inexact.
 */
export function countPromptTokens(
  messages: readonly ChatMessageLike[],
  model: string,
  tools?: unknown,
): { readonly tokens: number; readonly exact: boolean; readonly encoding: string } {
  const { name, exact } = encodingFor(model);
  const { countTokens } = tokenizer(name);
  let tokens = REPLY_PRIMING;
  let textOnly = true;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + countTokens(message.role, AS_TEXT);
    if (typeof message.content === 'string') {
      tokens += countTokens(message.content, AS_TEXT);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' && part.text !== undefined) tokens += countTokens(part.text, AS_TEXT);
      else textOnly = false;
    }
  }
  if (tools !== undefined) tokens += countTokens(JSON.stringify(tools), AS_TEXT);
  return { tokens, exact: exact && textOnly && tools === undefined, encoding: name };
}

/**
 * The most tokens a chat request can count as, found without tokenizing (a prompt of thousands of
 * words takes a millisecond to count). Both encodings are byte-level BPE: every token stands for at
 * least one UTF-8 byte, so no text has more tokens than bytes. Same framing as countPromptTokens
 * (without tools: routing counts none).
 */
export function promptTokensAtMost(messages: readonly ChatMessageLike[]): number {
  let bytes = REPLY_PRIMING;
  for (const message of messages) {
    bytes += TOKENS_PER_MESSAGE + Buffer.byteLength(message.role);
    if (typeof message.content === 'string') {
      bytes += Buffer.byteLength(message.content);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' && part.text !== undefined) bytes += Buffer.byteLength(part.text);
    }
  }
  return bytes;
}
