/**
 * @module Language and embedding models from the configured providers, through the Vercel AI SDK
 * (its OpenAI, Anthropic, Google and OpenAI-compatible providers), built once per provider. Keys
 * are read from the environment variable the provider names, at build time, never logged. Each
 * provider package is loaded on first use: together they would add ~150 ms to every start.
 */
import type { EmbeddingModel, LanguageModel } from 'ai';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { LlmConfig, ModelConfig, ProviderConfig } from '../config/llm-config.ts';

// The SDK prints its warnings to the console; the gateway reports through its own events and logs.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

interface ProviderInstance {
  language(model: string): LanguageModel;
  embedding(model: string): EmbeddingModel;
}

export class ModelFactory {
  private readonly providers = new Map<string, ProviderConfig>();
  private readonly models = new Map<string, ModelConfig>();
  private readonly instances = new Map<string, Promise<ProviderInstance>>();
  private readonly languageModels = new Map<string, Promise<LanguageModel>>();
  private readonly env: Readonly<Record<string, string | undefined>>;

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
  language(model: ModelConfig): Promise<LanguageModel> {
    let built = this.languageModels.get(model.id);
    if (!built) {
      built = this.instance(model.provider).then((instance) => instance.language(model.model ?? model.id));
      this.languageModels.set(model.id, built);
    }
    return built;
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
      instance = build(provider, provider.apiKeyEnv ? this.env[provider.apiKeyEnv] : undefined);
      this.instances.set(providerId, instance);
    }
    return instance;
  }
}

async function build(provider: ProviderConfig, apiKey: string | undefined): Promise<ProviderInstance> {
  const common = {
    ...(provider.baseUrl ? { baseURL: provider.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
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
