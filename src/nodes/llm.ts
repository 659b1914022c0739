/**
 * @module `llm`: one model call through the gateway — a prompt (or messages) with expressions, a
 * model or a route, parameters, tools the model may call, structured output against a JSON Schema,
 * PII redaction. The answer's text streams out as progress events while it arrives; the output
 * holds the answer with its usage, cost, the model that answered and every gateway decision.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { LlmMessage } from '../llm/gateway/types.ts';
import { defineNode, taskShape } from './node-type.ts';

const piiKinds = z.array(z.enum(['email', 'phone', 'card', 'iban'])).max(4);
/** Deltas are sent as events in batches: a token per event would flood the stream and the store. */
const DELTA_FLUSH_CHARS = 200;
const DELTA_FLUSH_MS = 100;

export const llmParams = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('A configured model id; tried first, then `fallbacks`.'),
    route: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Or a configured route; `default` when neither is given.'),
    fallbacks: z.array(z.string().min(1).max(128)).max(8).optional(),
    system: z.string().max(100_000).optional().describe('The system prompt.'),
    prompt: z.string().max(1_000_000).optional().describe('The user message. Give this or `messages`.'),
    messages: z
      .array(
        z.strictObject({
          role: z.enum(['system', 'user', 'assistant']),
          content: z.string().max(1_000_000),
          // A chat trigger's history carries each message's place; the model does not need it.
          seq: z.int().optional(),
        }),
      )
      .min(1)
      .max(500)
      .optional(),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().min(0).max(1).optional(),
    maxOutputTokens: z.int().min(1).max(1_000_000).optional(),
    stop: z.array(z.string().min(1).max(100)).max(8).optional(),
    tools: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
          description: z.string().max(2000).optional(),
          parameters: z.record(z.string(), z.unknown()).describe('JSON Schema of the input.'),
        }),
      )
      .max(64)
      .optional()
      .describe('Tools the model may call; the calls come out in `toolCalls`.'),
    responseSchema: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('JSON Schema: the answer is parsed and validated into `object`, or the node fails.'),
    cache: z
      .enum(['auto', 'always', 'off'])
      .default('auto')
      .describe('auto: cache deterministic calls (temperature 0, no tools).'),
    private: z.boolean().default(false).describe('Private data: only local models may see it.'),
    pii: z.strictObject({ input: piiKinds.optional(), output: piiKinds.optional() }).optional(),
    stream: z.boolean().default(true).describe('Send the answer as progress events while it arrives.'),
  })
  .refine((p) => (p.prompt === undefined) !== (p.messages === undefined), {
    message: 'give exactly one of `prompt` and `messages`',
  })
  .refine((p) => p.model === undefined || p.route === undefined, {
    message: 'give `model` or `route`, not both',
  });

export const llmNode = defineNode({
  type: 'llm',
  title: 'LLM',
  description:
    'Calls a model through the gateway (routing, fallbacks, budgets, cache, ledger). Outputs ' +
    '{ text, object, toolCalls, usage, costUsd, model, provider, route, cached, finishReason, decisions }.',
  category: 'ai',
  params: llmParams,
  shape: taskShape(),
  run: async (ctx, { params }) => {
    const messages: LlmMessage[] = [
      ...(params.system === undefined ? [] : [{ role: 'system' as const, content: params.system }]),
      ...(params.messages ?? [{ role: 'user' as const, content: params.prompt ?? '' }]),
    ];
    let pending = '';
    let lastFlush = ctx.now();
    const flush = () => {
      if (pending === '') return;
      ctx.emit({ data: { delta: pending } });
      pending = '';
      lastFlush = ctx.now();
    };
    const result = await ctx.llm.generate(
      {
        messages,
        ...(params.model === undefined ? {} : { model: params.model }),
        ...(params.route === undefined ? {} : { route: params.route }),
        ...(params.fallbacks === undefined ? {} : { fallbacks: params.fallbacks }),
        ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
        ...(params.topP === undefined ? {} : { topP: params.topP }),
        ...(params.maxOutputTokens === undefined ? {} : { maxOutputTokens: params.maxOutputTokens }),
        ...(params.stop === undefined ? {} : { stop: params.stop }),
        ...(params.tools === undefined ? {} : { tools: params.tools }),
        ...(params.responseSchema === undefined ? {} : { responseSchema: params.responseSchema }),
        cache: params.cache,
        private: params.private,
        ...(params.pii === undefined ? {} : { pii: params.pii }),
      },
      {
        // Each retry, breaker change, fallback and cache use becomes an event as it happens.
        onDecision: (decision) => {
          flush();
          ctx.emit({ message: decision.type, data: { decision } });
        },
        ...(params.stream
          ? {
              onDelta: (text: string) => {
                pending += text;
                if (pending.length >= DELTA_FLUSH_CHARS || ctx.now() - lastFlush >= DELTA_FLUSH_MS) flush();
              },
            }
          : {}),
      },
    );
    flush();
    if (params.responseSchema !== undefined && result.object === undefined) {
      throw new SwitchyardError('SY_LLM_OUTPUT_INVALID', 'the model gave no structured answer');
    }
    return {
      out: {
        text: result.text,
        ...(result.object === undefined ? {} : { object: result.object }),
        toolCalls: result.toolCalls,
        usage: result.usage,
        costUsd: result.costUsd,
        model: result.model,
        provider: result.provider,
        route: result.route,
        routeReason: result.routeReason,
        cached: result.cached,
        finishReason: result.finishReason,
        decisions: result.decisions,
        latencyMs: result.latencyMs,
      },
    };
  },
});
