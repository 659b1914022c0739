/**
 * @module The mock LLM's script: rules that decide, per request, what the model "says" (text, tool calls,
 * JSON), which fault it shows (an HTTP error, a dropped connection) and how slowly it streams. The first
 * matching rule wins; a rule with `times` stops matching after that many requests.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { yaml } from '../../json/yaml.ts';

export type Protocol = 'openai' | 'anthropic';

const timing = {
  /** Wait before the first token (streaming) or the whole answer (non-streaming). */
  firstTokenDelayMs: z.number().int().nonnegative().optional(),
  /** Wait between two deltas. */
  chunkDelayMs: z.number().int().nonnegative().optional(),
  /** Stop sending after this many deltas, for `stallMs` or — without it — until the client gives up. */
  stallAfterChunks: z.number().int().nonnegative().optional(),
  stallMs: z.number().int().nonnegative().optional(),
  /** Characters per delta. */
  chunkSize: z.number().int().positive().optional(),
};

const jsonValue = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);

export const mockReplySchema = z.union([
  z.strictObject({ text: z.string(), ...timing }),
  z.strictObject({
    toolCalls: z
      .array(z.strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) }))
      .min(1),
    ...timing,
  }),
  z.strictObject({ json: jsonValue, ...timing }),
  z.strictObject({ echo: z.literal(true), ...timing }),
  z.strictObject({
    error: z.strictObject({
      status: z.number().int().min(400).max(599),
      message: z.string().optional(),
      retryAfterSeconds: z.number().nonnegative().optional(),
      type: z.string().optional(),
    }),
    ...timing,
  }),
  z.strictObject({ drop: z.enum(['before-headers', 'mid-stream']), ...timing }),
]);

export const mockRuleSchema = z.strictObject({
  /** An exact model name, or a prefix ending in `*`. */
  model: z.string().min(1).optional(),
  /** A substring of the last user message. */
  contains: z.string().optional(),
  protocol: z.enum(['openai', 'anthropic']).optional(),
  /** How many requests the rule applies to; then it stops matching. */
  times: z.number().int().positive().optional(),
  reply: mockReplySchema,
});

export const mockScriptSchema = z.strictObject({ rules: z.array(mockRuleSchema) });

export type MockScript = z.input<typeof mockScriptSchema>;
export type MockRule = z.output<typeof mockRuleSchema>;
export type MockReply = z.output<typeof mockReplySchema>;

/** What a rule can look at. */
export interface MatchInput {
  readonly model: string;
  readonly protocol: Protocol;
  readonly lastUserText: string;
}

/** The rules of one script and how many requests each `times` rule has left. */
export class ScriptMatcher {
  readonly rules: readonly MockRule[];
  readonly #left: Array<number | undefined>;

  constructor(script: MockScript) {
    this.rules = mockScriptSchema.parse(script).rules;
    this.#left = this.rules.map((rule) => rule.times);
  }

  /** The reply of the first matching rule, using up one of its `times`; undefined: the default answer. */
  match(input: MatchInput): MockReply | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const left = this.#left[i];
      if (left === 0 || !ruleMatches(rule, input)) continue;
      if (left !== undefined) this.#left[i] = left - 1;
      return rule.reply;
    }
    return undefined;
  }

  /** The exact model names the script mentions, for `GET /v1/models`. */
  modelNames(): string[] {
    return this.rules.flatMap((rule) => (rule.model && !rule.model.endsWith('*') ? [rule.model] : []));
  }
}

function ruleMatches(rule: MockRule, input: MatchInput): boolean {
  if (rule.protocol !== undefined && rule.protocol !== input.protocol) return false;
  if (rule.contains !== undefined && !input.lastUserText.includes(rule.contains)) return false;
  if (rule.model === undefined) return true;
  return rule.model.endsWith('*')
    ? input.model.startsWith(rule.model.slice(0, -1))
    : input.model === rule.model;
}

/** Parses and validates a script from YAML or JSON text (JSON is YAML); throws with every problem listed. */
export function parseMockScript(text: string): MockScript {
  const result = mockScriptSchema.safeParse(yaml().parse(text));
  if (!result.success) throw new Error(`invalid mock LLM script: ${z.prettifyError(result.error)}`);
  return result.data;
}

export async function loadMockScript(file: string): Promise<MockScript> {
  return parseMockScript(await readFile(file, 'utf8'));
}
