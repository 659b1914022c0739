import { describe, expect, it } from 'vitest';
import { parseTemplate } from './template.ts';

describe('parseTemplate', () => {
  it('finds a single expression', () => {
    const parsed = parseTemplate('{{ $input.total }}');
    expect(parsed.ok && parsed.template.isSingleExpression).toBe(true);
  });
  it('keeps braces of object constructors inside the expression', () => {
    const parsed = parseTemplate('x {{ {"a": {"b": 1}} }} y');
    expect(parsed.ok).toBe(true);
    if (parsed.ok)
      expect(parsed.template.segments.map((s) => s.kind)).toEqual(['literal', 'expression', 'literal']);
  });
  it('ignores }} inside string literals', () => {
    const parsed = parseTemplate('{{ "}}" & name }}');
    expect(parsed.ok && parsed.template.segments[0]).toMatchObject({
      kind: 'expression',
      source: '"}}" & name',
    });
  });
  it('reports unclosed and malformed expressions with an offset', () => {
    const unclosed = parseTemplate('abc {{ $input');
    expect(unclosed).toMatchObject({ ok: false, problem: { offset: 4 } });
    const bad = parseTemplate('{{ $input. }}');
    expect(bad.ok).toBe(false);
  });
});
