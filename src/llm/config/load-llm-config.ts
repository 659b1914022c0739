/**
 * @module Loads the gateway configuration: the YAML file `SWITCHYARD_LLM_CONFIG` names (or
 * `llm.yaml` in the data directory), validated with every problem reported at once; without a
 * file, a configuration built from the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { yaml } from '../../json/yaml.ts';
import { type LlmConfig, llmConfigSchema } from './llm-config.ts';

export const LOCAL_LLM_URL = 'http://127.0.0.1:8787/v1';

export function loadLlmConfig(env: Readonly<Record<string, string | undefined>>, dataDir: string): LlmConfig {
  const named = env.SWITCHYARD_LLM_CONFIG?.trim();
  const file = named || join(dataDir, 'llm.yaml');
  if (!named && !existsSync(file)) return configFromEnv(env);
  let document: unknown;
  try {
    document = yaml().parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `the LLM configuration ${file} cannot be read: ${String(error)}`,
      {
        hint: 'Fix the YAML, or unset SWITCHYARD_LLM_CONFIG to configure from the environment.',
      },
    );
  }
  return parseLlmConfig(document, file);
}

export function parseLlmConfig(document: unknown, source: string): LlmConfig {
  const parsed = llmConfigSchema.safeParse(document ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `${source} is not a valid LLM configuration: ${problems.join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  const config = parsed.data;
  const providers = new Set(config.providers.map((p) => p.id));
  const models = new Set(config.models.map((m) => m.id));
  const problems = [
    ...config.models
      .filter((m) => !providers.has(m.provider))
      .map((m) => `model ${m.id}: unknown provider ${m.provider}`),
    ...config.routes.flatMap((r) =>
      (r.candidates ?? []).filter((c) => !models.has(c)).map((c) => `route ${r.id}: unknown model ${c}`),
    ),
    ...config.routes
      .filter((r) => !r.candidates && !r.select)
      .map((r) => `route ${r.id}: give candidates or select`),
  ];
  if (problems.length > 0) {
    throw new SwitchyardError('SY_CONFIG_INVALID', `${source}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return config;
}

/** Providers whose key variable is set, and the local OpenAI-compatible server. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): LlmConfig {
  const document = {
    providers: [
      {
        id: 'local',
        kind: 'openai-compatible',
        baseUrl: env.SWITCHYARD_LOCAL_LLM_URL?.trim() || LOCAL_LLM_URL,
      },
      ...(env.OPENAI_API_KEY ? [{ id: 'openai', kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' }] : []),
      ...(env.ANTHROPIC_API_KEY
        ? [{ id: 'anthropic', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' }]
        : []),
      ...(env.GOOGLE_GENERATIVE_AI_API_KEY
        ? [{ id: 'google', kind: 'google', apiKeyEnv: 'GOOGLE_GENERATIVE_AI_API_KEY' }]
        : []),
    ],
    models: [
      {
        id: 'mock-small',
        provider: 'local',
        local: true,
        classes: ['chat', 'fast'],
        price: { inputPerMTok: 0, outputPerMTok: 0 },
      },
      {
        id: 'mock-large',
        provider: 'local',
        local: true,
        classes: ['chat', 'code', 'reasoning'],
        price: { inputPerMTok: 0, outputPerMTok: 0 },
      },
      {
        id: 'mock-embed',
        provider: 'local',
        local: true,
        embedding: true,
        classes: ['embedding'],
        price: { inputPerMTok: 0, outputPerMTok: 0 },
      },
      ...(env.OPENAI_API_KEY
        ? [
            { id: 'gpt-4o-mini', provider: 'openai', classes: ['chat', 'fast'] },
            { id: 'gpt-4o', provider: 'openai', classes: ['chat', 'code', 'vision'] },
            { id: 'text-embedding-3-small', provider: 'openai', embedding: true, classes: ['embedding'] },
          ]
        : []),
      ...(env.ANTHROPIC_API_KEY
        ? [
            {
              id: 'claude-haiku',
              provider: 'anthropic',
              model: 'claude-3-5-haiku-latest',
              classes: ['chat', 'fast'],
            },
            {
              id: 'claude-sonnet',
              provider: 'anthropic',
              model: 'claude-sonnet-4-5',
              classes: ['chat', 'code', 'reasoning'],
            },
          ]
        : []),
      ...(env.GOOGLE_GENERATIVE_AI_API_KEY
        ? [{ id: 'gemini-flash', provider: 'google', model: 'gemini-2.5-flash', classes: ['chat', 'fast'] }]
        : []),
    ],
    routes: [
      { id: 'default', select: { class: 'chat' } },
      { id: 'private', select: { class: 'chat', privacy: 'private' } },
    ],
  };
  return parseLlmConfig(document, 'the environment');
}
