import { describe, expect, it } from 'vitest';
import { callOptionsOf, promptOf } from './model-call-options.ts';

describe('the prompt a provider model gets', () => {
  it('puts the system turns first as one, and keeps a tool loop in order with its results merged', () => {
    expect(
      promptOf([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        { role: 'system', content: 'Use the tools.' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'a', name: 'weather', input: { city: 'Oslo' } },
            { id: 'b', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        { role: 'tool', toolCallId: 'a', toolName: 'weather', content: 'rain' },
        { role: 'tool', toolCallId: 'b', toolName: 'weather', content: 'no such city', isError: true },
        { role: 'assistant', content: '' },
      ]),
    ).toEqual([
      { role: 'system', content: 'Be brief.\n\nUse the tools.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'a', toolName: 'weather', input: { city: 'Oslo' } },
          { type: 'tool-call', toolCallId: 'b', toolName: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'a',
            toolName: 'weather',
            output: { type: 'text', value: 'rain' },
          },
          {
            type: 'tool-result',
            toolCallId: 'b',
            toolName: 'weather',
            output: { type: 'error-text', value: 'no such city' },
          },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: '' }] },
    ]);
  });

  it('passes only the settings the request sets, tools as functions the model may choose among', () => {
    const signal = new AbortController().signal;
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(callOptionsOf({ messages }, messages, 100, signal)).toEqual({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      maxOutputTokens: 100,
      abortSignal: signal,
    });
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    expect(
      callOptionsOf(
        {
          messages,
          temperature: 0,
          topP: 0.5,
          stop: ['END'],
          tools: [
            { name: 'weather', description: 'Weather now', parameters },
            { name: 'noop', parameters: {} },
          ],
        },
        messages,
        100,
        signal,
      ),
    ).toMatchObject({
      temperature: 0,
      topP: 0.5,
      stopSequences: ['END'],
      tools: [
        { type: 'function', name: 'weather', description: 'Weather now', inputSchema: parameters },
        { type: 'function', name: 'noop', inputSchema: {} },
      ],
      toolChoice: { type: 'auto' },
    });
  });
});
