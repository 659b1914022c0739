import { describe, expect, it } from 'vitest';
import {
  type CompiledValue,
  compileValue,
  expressionPaths,
  expressionSources,
  isExpressionString,
  isStaticValue,
  staticValueOf,
} from './value-template.ts';

describe('compileValue', () => {
  it('keeps a value without expressions as one constant', () => {
    const params = { url: 'https://example.com', retries: 3, tags: ['a', { b: null }], on: true };
    const { compiled, problems } = compileValue(params);
    expect(problems).toEqual([]);
    expect(isStaticValue(compiled)).toBe(true);
    expect(staticValueOf(compiled)).toEqual(params);
  });

  it('copies and freezes constants, so the caller and the results cannot change them', () => {
    const params = { headers: { accept: 'json' }, list: [1, 2] };
    const { compiled } = compileValue(params);
    params.headers.accept = 'changed';
    params.list.push(3);
    const value = staticValueOf(compiled) as { headers: { accept: string }; list: number[] };
    expect(value).toEqual({ headers: { accept: 'json' }, list: [1, 2] });
    expect(Object.isFrozen(value.headers)).toBe(true);
    expect(Object.isFrozen(value.list)).toBe(true);
  });

  it('keeps a "__proto__" key as data instead of setting the prototype', () => {
    const params = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const value = staticValueOf(compileValue(params).compiled) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('compiles templates anywhere in nested objects and arrays, leaving the constants around them', () => {
    const { compiled, problems } = compileValue({
      url: 'https://api/{{ $input.id }}',
      headers: { 'x-id': '{{ $input.id }}', accept: 'json' },
      items: [1, '{{ total }}', { deep: ['x', 'y {{ z }}'] }],
    });
    expect(problems).toEqual([]);
    expect(isStaticValue(compiled)).toBe(false);
    expect(expressionPaths(compiled)).toEqual([
      ['url'],
      ['headers', 'x-id'],
      ['items', 1],
      ['items', 2, 'deep', 1],
    ]);
    const headers = entry(compiled, 'headers');
    expect(entry(headers, 'accept')).toEqual({ kind: 'static', value: 'json' });
  });

  it('records the source and offset of every expression', () => {
    const { compiled } = compileValue({ a: 'x {{ one }} y {{ two }}' });
    expect(expressionSources(compiled)).toEqual([
      { source: 'one', path: ['a'], offset: 5 },
      { source: 'two', path: ['a'], offset: 17 },
    ]);
  });

  it('leaves skipKeys at the top level as raw constants', () => {
    const { compiled, problems } = compileValue(
      { source: 'return "{{ not an expression"', label: '{{ name }}', nested: { source: '{{ x }}' } },
      { skipKeys: ['source'] },
    );
    expect(problems).toEqual([]);
    expect(entry(compiled, 'source')).toEqual({ kind: 'static', value: 'return "{{ not an expression"' });
    expect(expressionPaths(compiled)).toEqual([['label'], ['nested', 'source']]);
  });

  it('reports malformed expressions with their path and offset, and keeps going', () => {
    const { compiled, problems } = compileValue({
      ok: '{{ total }}',
      headers: { 'x-id': 'id: {{ $input. }}' },
      list: ['fine', 'abc {{ unclosed'],
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ path: ['headers', 'x-id'] });
    expect(problems[0]?.offset).toBeGreaterThanOrEqual(4);
    expect(problems[1]).toEqual({
      path: ['list', 1],
      message: 'an expression opened with {{ is never closed with }}',
      offset: 4,
    });
    // The malformed strings stay constants; the good expression is still compiled.
    expect(expressionPaths(compiled)).toEqual([['ok']]);
  });

  it('treats strings without {{ and non-JSON leaves as constants', () => {
    const { compiled } = compileValue(['a } b', 'single { brace', 42, null]);
    expect(isStaticValue(compiled)).toBe(true);
  });

  it('refuses staticValueOf on a value with expressions', () => {
    expect(() => staticValueOf(compileValue('{{ x }}').compiled)).toThrow(TypeError);
  });
});

describe('isExpressionString', () => {
  it('is true only when the whole string is one expression', () => {
    expect(isExpressionString('{{ $input.total }}')).toBe(true);
    expect(isExpressionString('{{ {"a": {"b": 1}} }}')).toBe(true);
    expect(isExpressionString('total: {{ total }}')).toBe(false);
    expect(isExpressionString('{{ a }}{{ b }}')).toBe(false);
    expect(isExpressionString(' {{ a }}')).toBe(false);
    expect(isExpressionString('plain')).toBe(false);
    expect(isExpressionString('{{ $input. }}')).toBe(false);
  });
});

function entry(compiled: CompiledValue, key: string): CompiledValue {
  if (compiled.kind !== 'object') throw new Error(`expected an object, got ${compiled.kind}`);
  const found = compiled.entries.find(([name]) => name === key);
  if (!found) throw new Error(`no entry ${key}`);
  return found[1];
}
