import { describe, expect, it } from 'vitest';
import { structuredOutput } from './structured-output.ts';

describe('a structured answer', () => {
  it('is checked against the schema the request sent, even when an earlier one had the same $id', async () => {
    const first = {
      $id: 'answer',
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    };
    const second = {
      $id: 'answer',
      type: 'object',
      properties: { total: { type: 'number' } },
      required: ['total'],
    };
    expect(await structuredOutput('{"city":"Oslo"}', first)).toEqual({ city: 'Oslo' });
    expect(await structuredOutput('{"total":3}', second)).toEqual({ total: 3 });
    await expect(structuredOutput('{"city":"Oslo"}', second)).rejects.toMatchObject({
      code: 'SY_LLM_OUTPUT_INVALID',
    });
  });

  it('is checked the same way when each request brings its own copy of the schema', async () => {
    const schema = () => ({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
    expect(await structuredOutput('{"n":1}', schema())).toEqual({ n: 1 });
    await expect(structuredOutput('{"n":"one"}', schema())).rejects.toThrow(/answer\/n must be integer/);
  });
});
