/**
 * @module The gateway's configuration: providers (with the environment variable that holds each
 * key), the models people call by name, routes that choose among them, and the defaults for
 * timeouts, retries, breakers and the cache. Read from a YAML file; without one, providers come
 * from the usual API-key variables plus a local OpenAI-compatible server (Ollama, vLLM, LM Studio,
 * or `switchyard mock-llm`).
 */
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/, 'letters, digits and `_.:/-`');

export const providerConfig = z.strictObject({
  id,
  kind: z.enum(['openai', 'anthropic', 'google', 'openai-compatible']),
  baseUrl: z.url().optional().describe("The provider's API base URL; its public one when absent."),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('The environment variable holding the API key; never the key itself.'),
});

const price = z.strictObject({
  inputPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
  cachedInputPerMTok: z.number().min(0).optional(),
});

export const modelConfig = z.strictObject({
  id,
  provider: id,
  /** The provider's own model id; `id` when absent. */
  model: z.string().min(1).max(200).optional(),
  contextWindow: z.int().min(1).default(128_000),
  maxOutputTokens: z.int().min(1).default(4096),
  /** Runs on hardware you control: the only kind private data may go to. */
  local: z.boolean().default(false),
  /** The task classes it serves, for routing (chat, code, fast, reasoning, vision…). */
  classes: z.array(z.string().min(1).max(40)).default(['chat']),
  embedding: z.boolean().default(false),
  price: price.optional().describe('Overrides the built-in price table (USD per million tokens).'),
});

export const routeConfig = z.strictObject({
  id,
  /** An explicit chain: tried in this order. */
  candidates: z.array(id).min(1).optional(),
  /** Or rules: every capable model, cheapest first. */
  select: z
    .strictObject({
      class: z.string().min(1).max(40).optional(),
      minContext: z.int().min(1).optional(),
      privacy: z.enum(['any', 'private']).default('any'),
      maxInputPerMTok: z.number().min(0).optional(),
    })
    .optional(),
});

export const llmConfigSchema = z.strictObject({
  providers: z.array(providerConfig).default([]),
  models: z.array(modelConfig).default([]),
  routes: z.array(routeConfig).default([]),
  timeouts: z
    .strictObject({
      firstTokenMs: z.int().min(1).default(20_000),
      idleMs: z.int().min(1).default(30_000),
      totalMs: z.int().min(1).default(180_000),
    })
    .default({ firstTokenMs: 20_000, idleMs: 30_000, totalMs: 180_000 }),
  retry: z
    .strictObject({
      maxAttempts: z.int().min(1).max(10).default(3),
      baseMs: z.int().min(0).default(250),
      maxMs: z.int().min(0).default(8_000),
    })
    .default({ maxAttempts: 3, baseMs: 250, maxMs: 8_000 }),
  breaker: z
    .strictObject({
      failureThreshold: z.int().min(1).default(5),
      windowMs: z.int().min(1).default(30_000),
      cooldownMs: z.int().min(1).default(15_000),
    })
    .default({ failureThreshold: 5, windowMs: 30_000, cooldownMs: 15_000 }),
  cache: z
    .strictObject({
      ttlSeconds: z.int().min(1).default(3600),
      memoryEntries: z.int().min(0).default(2000),
    })
    .default({ ttlSeconds: 3600, memoryEntries: 2000 }),
});

export type LlmConfig = z.output<typeof llmConfigSchema>;
export type ModelConfig = z.output<typeof modelConfig>;
export type ProviderConfig = z.output<typeof providerConfig>;
export type RouteConfig = z.output<typeof routeConfig>;
