import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, LOCAL_LLM_URL, loadLlmConfig } from './load-llm-config.ts';

describe('loading the LLM configuration', () => {
  it('builds one from the environment: the local server always, cloud providers whose keys are set', () => {
    const bare = configFromEnv({});
    expect(bare.providers).toEqual([{ id: 'local', kind: 'openai-compatible', baseUrl: LOCAL_LLM_URL }]);
    expect(bare.models.every((model) => model.local)).toBe(true);
    const withKeys = configFromEnv({ OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-y' });
    expect(withKeys.providers.map((p) => p.id)).toEqual(['local', 'openai', 'anthropic']);
    // Keys are referenced by variable name, never copied into the configuration.
    expect(JSON.stringify(withKeys)).not.toContain('sk-x');
  });

  it('reads llm.yaml from the data directory, or the file SWITCHYARD_LLM_CONFIG names, with clear errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-config-'));
    writeFileSync(join(dir, 'llm.yaml'), 'providers:\n  - { id: o, kind: ollama-typo }\n');
    expect(() => loadLlmConfig({}, dir)).toThrow(
      /llm\.yaml is not a valid LLM configuration: providers\.0\.kind/,
    );
    const named = join(dir, 'custom.yaml');
    writeFileSync(
      named,
      'providers:\n  - { id: o, kind: openai-compatible, baseUrl: "http://127.0.0.1:11434/v1" }\nmodels:\n  - { id: llama, provider: o, local: true }\n',
    );
    expect(loadLlmConfig({ SWITCHYARD_LLM_CONFIG: named }, dir).models.map((m) => m.id)).toEqual(['llama']);
    expect(() => loadLlmConfig({ SWITCHYARD_LLM_CONFIG: join(dir, 'missing.yaml') }, dir)).toThrow(
      /cannot be read/,
    );
  });
});
