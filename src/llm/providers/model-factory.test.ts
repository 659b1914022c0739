import { describe, expect, it } from 'vitest';
import { parseLlmConfig } from '../config/load-llm-config.ts';
import { ModelFactory } from './model-factory.ts';

const config = parseLlmConfig(
  {
    providers: [
      { id: 'local', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' },
      { id: 'claude', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9/v1' },
    ],
    models: [
      { id: 'small', provider: 'local', model: 'mock-small' },
      { id: 'sonnet', provider: 'claude', model: 'mock-claude' },
      { id: 'embed', provider: 'local', model: 'mock-embed', embedding: true, classes: ['embedding'] },
    ],
  },
  'test',
);

/** Whether a promise has settled already: a settled one wins a race against a fresh resolved one. */
const settled = async (promise: Promise<unknown>) =>
  (await Promise.race([promise.then(() => true), Promise.resolve().then(() => false)])) === true;

describe('the model factory', () => {
  it('builds every configured language model ahead of the first call when warmed', async () => {
    const cold = new ModelFactory(config, {});
    expect(await settled(cold.language(cold.model('small')))).toBe(false);

    const warmed = new ModelFactory(config, {});
    await warmed.warm();
    for (const id of ['small', 'sonnet']) {
      const model = warmed.language(warmed.model(id));
      expect(await settled(model), id).toBe(true);
      expect((await model).modelId).toBe(id === 'small' ? 'mock-small' : 'mock-claude');
    }
  });
});
