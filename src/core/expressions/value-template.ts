/**
 * @module Compiles a JSON value tree (a node's `params`) once into a `CompiledValue`: every string
 * holding `{{ … }}` becomes a parsed template, everything else a constant. Pure: nothing is
 * evaluated here; `src/expressions` evaluates the result.
 *
 * Constants are deep-copied and frozen, so a compiled value cached across executions can never be
 * changed through a result that shares one of its constant parts.
 */
import { hasTemplate, parseTemplate, type Template } from './template.ts';

export type ValuePath = readonly (string | number)[];

export type CompiledValue =
  | { readonly kind: 'static'; readonly value: unknown }
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledValue])[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledValue[] };

export interface ValueTemplateProblem {
  /** Where the malformed string is, relative to the compiled value, e.g. `['headers', 'x-id']`. */
  readonly path: ValuePath;
  readonly message: string;
  /** Offset in that string where the problem starts. */
  readonly offset: number;
}

export interface CompileValueOptions {
  /** Top-level keys kept as raw constants even if they contain `{{` (e.g. a code node's `source`). */
  readonly skipKeys?: readonly string[];
}

export interface CompileValueResult {
  readonly compiled: CompiledValue;
  readonly problems: ValueTemplateProblem[];
}

export function compileValue(value: unknown, options: CompileValueOptions = {}): CompileValueResult {
  const problems: ValueTemplateProblem[] = [];
  const skip = new Set(options.skipKeys ?? []);
  const compiled =
    skip.size > 0 && isPlainObject(value)
      ? compileObject(value, [], problems, skip)
      : compileNode(value, [], problems);
  return { compiled, problems };
}

/** True when evaluation can be skipped: the value holds no expression anywhere. */
export function isStaticValue(compiled: CompiledValue): compiled is { kind: 'static'; value: unknown } {
  return compiled.kind === 'static';
}

/** The constant of a static compiled value; throws on a dynamic one, which has no single value. */
export function staticValueOf(compiled: CompiledValue): unknown {
  if (compiled.kind !== 'static') throw new TypeError('staticValueOf: the compiled value holds expressions');
  return compiled.value;
}

/** True when the whole string is exactly one `{{ … }}` expression, whose value keeps its type. */
export function isExpressionString(text: string): boolean {
  if (!hasTemplate(text)) return false;
  const parsed = parseTemplate(text);
  return parsed.ok && parsed.template.isSingleExpression;
}

/** Paths of the strings that hold expressions, in document order. */
export function expressionPaths(compiled: CompiledValue): ValuePath[] {
  const paths: ValuePath[] = [];
  visitTemplates(compiled, [], (_template, path) => paths.push(path));
  return paths;
}

export interface ExpressionSource {
  readonly source: string;
  /** Path of the string that holds the expression. */
  readonly path: ValuePath;
  /** Offset of the source in that string. */
  readonly offset: number;
}

/** Every expression in the value, in document order. */
export function expressionSources(compiled: CompiledValue): ExpressionSource[] {
  const sources: ExpressionSource[] = [];
  visitTemplates(compiled, [], (template, path) => {
    for (const segment of template.segments) {
      if (segment.kind === 'expression')
        sources.push({ source: segment.source, path, offset: segment.offset });
    }
  });
  return sources;
}

function visitTemplates(
  compiled: CompiledValue,
  path: ValuePath,
  visit: (template: Template, path: ValuePath) => void,
): void {
  switch (compiled.kind) {
    case 'static':
      return;
    case 'template':
      visit(compiled.template, path);
      return;
    case 'object':
      for (const [key, child] of compiled.entries) visitTemplates(child, [...path, key], visit);
      return;
    case 'array':
      compiled.items.forEach((child, index) => {
        visitTemplates(child, [...path, index], visit);
      });
      return;
  }
}

function compileNode(value: unknown, path: ValuePath, problems: ValueTemplateProblem[]): CompiledValue {
  if (typeof value === 'string') return compileString(value, path, problems);
  if (Array.isArray(value)) return compileArray(value, path, problems);
  if (isPlainObject(value)) return compileObject(value, path, problems, undefined);
  return constant(value);
}

function compileString(text: string, path: ValuePath, problems: ValueTemplateProblem[]): CompiledValue {
  if (!hasTemplate(text)) return constant(text);
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    problems.push({ path, message: parsed.problem.message, offset: parsed.problem.offset });
    return constant(text);
  }
  return { kind: 'template', template: parsed.template };
}

function compileArray(
  values: readonly unknown[],
  path: ValuePath,
  problems: ValueTemplateProblem[],
): CompiledValue {
  const items = values.map((item, index) => compileNode(item, [...path, index], problems));
  if (items.every(isStaticValue)) return frozen(Object.freeze(items.map((item) => item.value)));
  return { kind: 'array', items };
}

function compileObject(
  record: Readonly<Record<string, unknown>>,
  path: ValuePath,
  problems: ValueTemplateProblem[],
  skipKeys: ReadonlySet<string> | undefined,
): CompiledValue {
  const entries = Object.keys(record).map((key): [string, CompiledValue] => {
    const child = record[key];
    return [key, skipKeys?.has(key) ? constant(child) : compileNode(child, [...path, key], problems)];
  });
  if (entries.every(([, child]) => isStaticValue(child))) {
    return frozen(
      Object.freeze(Object.fromEntries(entries.map(([key, child]) => [key, staticValueOf(child)]))),
    );
  }
  return { kind: 'object', entries };
}

function constant(value: unknown): CompiledValue {
  return frozen(frozenCopy(value));
}

/** Wraps a value that is already a frozen copy (children of an all-constant container). */
function frozen(value: unknown): CompiledValue {
  return { kind: 'static', value };
}

/**
 * Arrays and plain objects are copied (`Object.fromEntries` keeps a `__proto__` key as data instead
 * of setting the prototype) and frozen; other values are immutable primitives or foreign objects,
 * which are kept as they are.
 */
function frozenCopy(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  if (isPlainObject(value)) {
    return Object.freeze(Object.fromEntries(Object.keys(value).map((key) => [key, frozenCopy(value[key])])));
  }
  return value;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
