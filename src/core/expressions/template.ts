/**
 * @module `{{ … }}` templates: splits a string into literal text and JSONata expressions, and
 * compiles each expression once. Pure: parsing never evaluates anything.
 *
 * A string that is one expression and nothing else (`"{{ $input.total }}"`) yields the
 * expression's value as it is (a number stays a number); a string that mixes text and expressions
 * yields a string.
 */
import jsonata from 'jsonata';

export interface LiteralSegment {
  readonly kind: 'literal';
  readonly text: string;
}

export interface ExpressionSegment {
  readonly kind: 'expression';
  /** The JSONata source between the braces, trimmed. */
  readonly source: string;
  /** Offset of the source in the template string, for error messages. */
  readonly offset: number;
}

export type TemplateSegment = LiteralSegment | ExpressionSegment;

export interface Template {
  readonly raw: string;
  readonly segments: readonly TemplateSegment[];
  /** True when the whole string is a single expression: its value is not stringified. */
  readonly isSingleExpression: boolean;
}

export interface TemplateProblem {
  readonly message: string;
  /** Offset in the template string where the problem starts. */
  readonly offset: number;
}

export type TemplateParse = { ok: true; template: Template } | { ok: false; problem: TemplateProblem };

const OPEN = '{{';

/**
 * A string that is one `{{ … }}` and nothing else, judged by its braces only (it may not parse):
 * such a value can be of any type once evaluated.
 */
export const WHOLE_EXPRESSION = /^\s*\{\{[\s\S]*\}\}\s*$/;

/** Cheap test used to skip strings that hold no expression at all. */
export function hasTemplate(text: string): boolean {
  return text.includes(OPEN);
}

export function parseTemplate(raw: string): TemplateParse {
  const segments: TemplateSegment[] = [];
  let cursor = 0;
  while (cursor < raw.length) {
    const open = raw.indexOf(OPEN, cursor);
    if (open === -1) {
      segments.push({ kind: 'literal', text: raw.slice(cursor) });
      break;
    }
    if (open > cursor) segments.push({ kind: 'literal', text: raw.slice(cursor, open) });
    const close = findClose(raw, open + OPEN.length);
    if (close === -1) {
      return {
        ok: false,
        problem: { message: 'an expression opened with {{ is never closed with }}', offset: open },
      };
    }
    const inner = raw.slice(open + OPEN.length, close);
    const source = inner.trim();
    const offset = open + OPEN.length + inner.indexOf(source);
    if (source === '')
      return { ok: false, problem: { message: 'the expression {{ }} is empty', offset: open } };
    const syntax = checkSyntax(source);
    if (syntax) return { ok: false, problem: { message: syntax.message, offset: offset + syntax.position } };
    segments.push({ kind: 'expression', source, offset });
    cursor = close + 2;
  }
  const isSingleExpression = segments.length === 1 && segments[0]?.kind === 'expression';
  return { ok: true, template: { raw, segments, isSingleExpression } };
}

/**
 * Finds the `}}` that closes an expression, skipping braces inside JSONata string literals,
 * comments and object constructors (`{{ {"a": {"b": 1}} }}` is one expression).
 */
function findClose(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipQuoted(text, i, ch);
      if (i === -1) return -1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return -1;
      i = end + 1;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
  }
  return -1;
}

function skipQuoted(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

interface SyntaxProblem {
  readonly message: string;
  readonly position: number;
}

function checkSyntax(source: string): SyntaxProblem | undefined {
  try {
    jsonata(source);
    return undefined;
  } catch (error) {
    const failure = error as { message?: string; position?: number };
    const position = typeof failure.position === 'number' ? Math.max(0, failure.position - 1) : 0;
    return { message: failure.message ?? 'the expression does not parse', position };
  }
}
