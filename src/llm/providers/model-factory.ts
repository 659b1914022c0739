/**
 * @module Language and embedding models from the configured providers, through the Vercel AI SDK
 * (its OpenAI, Anthropic, Google and OpenAI-compatible providers), built once per provider, all
 * calling upstream through one pooled fetch (upstream-fetch.ts). Keys are read from the
 * environment variable the provider names, at build time, never logged. Each provider package is
 * loaded on first use: together they would add ~150 ms to every start.
 */
import type { EmbeddingModel, LanguageModel } from 'ai';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { LlmConfig, ModelConfig, ProviderConfig } from '../config/llm-config.ts';
import { createUpstreamFetch } from './upstream-fetch.ts';

// The SDK prints its warnings to the console; the gateway reports through its own events and logs.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/**
 * A provider's language model object (the SDK's specification v4, which every provider package
 * here implements), called directly by the gateway.
 */
export type ProviderModel = Extract<LanguageModel, { readonly specificationVersion: 'v4' }>;

interface ProviderInstance {
  language(model: string): ProviderModel;
  embedding(model: string): EmbeddingModel;
}

export class ModelFactory {
  private readonly providers = new Map<string, ProviderConfig>();
  private readonly models = new Map<string, ModelConfig>();
  private readonly instances = new Map<string, Promise<ProviderInstance>>();
  private readonly languageModels = new Map<string, Promise<ProviderModel>>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  /** Shared by every provider: one pool of kept-alive upstream connections. */
  private fetch: Promise<typeof fetch> | undefined;

  constructor(config: LlmConfig, env: Readonly<Record<string, string | undefined>>) {
    for (const provider of config.providers) this.providers.set(provider.id, provider);
    for (const model of config.models) this.models.set(model.id, model);
    this.env = env;
  }

  model(id: string): ModelConfig {
    const model = this.models.get(id);
    if (!model) {
      throw new SwitchyardError('SY_LLM_REQUEST_INVALID', `no model "${id}" is configured`, {
        hint: `Configured models: ${[...this.models.keys()].join(', ') || 'none'}. Add it to the LLM configuration.`,
      });
    }
    return model;
  }

  get allModels(): ModelConfig[] {
    return [...this.models.values()];
  }

  /** Built once per model: a provider's model object carries schemas that are costly to rebuild per call. */
  language(model: ModelConfig): Promise<ProviderModel> {
    let built = this.languageModels.get(model.id);
    if (!built) {
      built = this.instance(model.provider).then((instance) => instance.language(model.model ?? model.id));
      this.languageModels.set(model.id, built);
    }
    return built;
  }

  /**
   * Builds every configured language model now (provider packages, the upstream pool), so that the
   * first calls after a start do not wait a second or more for modules to load.
   */
  async warm(): Promise<void> {
    await Promise.all(
      this.allModels.filter((model) => !model.embedding).map((model) => this.language(model)),
    );
  }

  async embedding(model: ModelConfig): Promise<EmbeddingModel> {
    return (await this.instance(model.provider)).embedding(model.model ?? model.id);
  }

  private instance(providerId: string): Promise<ProviderInstance> {
    let instance = this.instances.get(providerId);
    if (!instance) {
      const provider = this.providers.get(providerId);
      if (!provider)
        throw new SwitchyardError('SY_CONFIG_INVALID', `no provider "${providerId}" is configured`);
      this.fetch ??= createUpstreamFetch();
      const apiKey = provider.apiKeyEnv ? this.env[provider.apiKeyEnv] : undefined;
      instance = this.fetch.then((fetch) => build(provider, apiKey, fetch));
      this.instances.set(providerId, instance);
    }
    return instance;
  }
}

async function build(
  provider: ProviderConfig,
  apiKey: string | undefined,
  fetch: typeof globalThis.fetch,
): Promise<ProviderInstance> {
  const common = {
    ...(provider.baseUrl ? { baseURL: provider.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    fetch,
  };
  switch (provider.kind) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const openai = createOpenAI(common);
      // .chat(): the chat-completions API, which every OpenAI-style server speaks.
      return { language: (model) => openai.chat(model), embedding: (model) => openai.embedding(model) };
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      const anthropic = createAnthropic(common);
      return {
        language: (model) => anthropic(model),
        embedding: () => {
          throw new SwitchyardError('SY_LLM_REQUEST_INVALID', 'Anthropic has no embedding models');
        },
      };
    }
    case 'google': {
      const { createGoogle } = await import('@ai-sdk/google');
      const google = createGoogle(common);
      return { language: (model) => google(model), embedding: (model) => google.embeddingModel(model) };
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      const compatible = createOpenAICompatible({
        name: provider.id,
        baseURL: provider.baseUrl ?? 'http://127.0.0.1:8787/v1',
        ...(apiKey ? { apiKey } : {}),
        fetch,
        includeUsage: true,
        // vLLM, Ollama, LM Studio and llama.cpp server take a JSON Schema response format.
        supportsStructuredOutputs: true,
      });
      return {
        language: (model) => compatible.chatModel(model),
        embedding: (model) => compatible.embeddingModel(model),
      };
    }
  }
}
