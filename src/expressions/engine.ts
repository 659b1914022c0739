/**
 * @module Evaluates compiled values (a node's params with their `{{ … }}` expressions) against an
 * execution's data, within time and size limits, with the JSONata built-ins that could reach
 * outside the data closed or bounded (see safe-functions.ts, linear-regex.ts, guard.ts).
 *
 * Meaning of a result:
 * - a string that is one expression yields the expression's value as JSON data (a number stays a
 *   number); an expression that yields nothing (JSONata's "no match") yields `undefined`, which
 *   drops the key from its object and is `null` inside an array, exactly as JSON.stringify would:
 *   the evaluated params survive a checkpoint's JSON round trip unchanged, and an optional
 *   parameter with no value keeps its default;
 * - a string mixing text and expressions yields a string (data as JSON, nothing as "");
 * - results are never scanned again for `{{ }}`: a value that looks like an expression is text.
 */
import { Buffer } from 'node:buffer';
import jsonata from 'jsonata';
import type { Template } from '../core/expressions/template.ts';
import { type CompiledValue, expressionSources, type ValuePath } from '../core/expressions/value-template.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { dateParser } from './date-parser.ts';
import { formatPath, shorten, toCompileError, toExpressionError } from './errors.ts';
import { LruCache } from './expression-cache.ts';
import { scanExpression } from './expression-scan.ts';
import { EXIT_HOOK, exitHook, GUARD_BINDING, type GuardState } from './guard.ts';
import { interpolationText, toJsonResult } from './json-result.ts';
import { type ExpressionLimits, resolveLimits } from './limits.ts';
import { LinearRegExp } from './linear-regex.ts';
import { type SafeFunction, safeFunctionNames, safeFunctions } from './safe-functions.ts';
import { type SimpleEvaluator, simpleEvaluator, UNSURE } from './simple-expression.ts';
import { WeightMeter } from './value-weight.ts';

export type { ExpressionLimits } from './limits.ts';
export { defaultExpressionLimits } from './limits.ts';

const CACHE_CAPACITY = 5_000;

/** The variables of one execution step: `input`, `nodes`, `trigger`, `execution`, `loop`, `vars`. */
export type ExpressionVariables = Readonly<Record<string, unknown>>;

export interface ExpressionProblem {
  readonly path: ValuePath;
  readonly message: string;
  readonly offset: number;
}

interface CompiledExpression {
  readonly expression: jsonata.Expression;
  readonly usesToMillis: boolean;
  /** Present for the commonest forms, evaluated without JSONata (simple-expression.ts). */
  readonly simple: SimpleEvaluator | undefined;
}

/** One `evaluate()` call: its variables, and its bindings and guard once JSONata needs them. */
interface Run {
  readonly variables: ExpressionVariables;
  jsonata?: { readonly bindings: Record<string, unknown>; readonly state: GuardState };
}

export class ExpressionEngine {
  readonly limits: ExpressionLimits;
  readonly #cache = new LruCache<string, CompiledExpression>(CACHE_CAPACITY);
  readonly #functions: readonly SafeFunction[];
  /**
   * Shared by all evaluations: the variables (node outputs, the input) are the same objects from
   * one evaluation to the next, so each is measured once, not once per evaluation.
   */
  readonly #meter: WeightMeter;

  constructor(limits: Partial<ExpressionLimits> = {}) {
    this.limits = resolveLimits(limits);
    this.#functions = safeFunctions(this.limits);
    this.#meter = new WeightMeter(this.limits.maxValueBytes);
  }

  /** How many compiled expressions the cache holds (for metrics and tests). */
  get cachedExpressions(): number {
    return this.#cache.size;
  }

  /**
   * Evaluates every expression of `compiled`. Variables are bound as `$input`, `$nodes`, … and
   * `variables.input` is also the context, so `{{ total }}` reads `$input.total`.
   * Throws a SwitchyardError (SY_EXPR_EVAL, SY_EXPR_TIMEOUT, SY_EXPR_LIMIT, SY_EXPR_FORBIDDEN).
   */
  async evaluate(compiled: CompiledValue, variables: ExpressionVariables): Promise<unknown> {
    if (compiled.kind === 'static') return compiled.value;
    for (const name of safeFunctionNames) {
      if (Object.hasOwn(variables, name)) {
        throw new SwitchyardError(
          'SY_INTERNAL',
          `the variable $${name} would hide a guarded built-in function`,
        );
      }
    }
    return this.#evaluateNode(compiled, [], { variables });
  }

  /**
   * Compiles every expression without running it and reports what would fail at once: a regex
   * the linear engine refuses, or a syntax error in a value not built by compileValue.
   */
  check(compiled: CompiledValue): ExpressionProblem[] {
    const problems: ExpressionProblem[] = [];
    for (const { source, offset, path } of expressionSources(compiled)) {
      try {
        this.#compile(source, path);
      } catch (error) {
        const message = error instanceof SwitchyardError ? error.message : String(error);
        problems.push({ path, message, offset });
      }
    }
    return problems;
  }

  /** Bindings and guard for JSONata, made once per `evaluate()` call, when the first expression needs them. */
  #jsonataRun(run: Run): NonNullable<Run['jsonata']> {
    if (run.jsonata) return run.jsonata;
    const state: GuardState = {
      deadline: Date.now() + this.limits.timeoutMs,
      timeoutMs: this.limits.timeoutMs,
      meter: this.#meter,
    };
    run.jsonata = { bindings: { ...run.variables, [GUARD_BINDING]: state }, state };
    return run.jsonata;
  }

  /**
   * Synchronous while its expressions are (most values need no JSONata at all), a promise from the
   * first one that needs JSONata on: no promise per level, and nothing evaluated twice.
   */
  #evaluateNode(node: CompiledValue, path: ValuePath, run: Run): unknown {
    switch (node.kind) {
      case 'static':
        return node.value;
      case 'template':
        return this.#evaluateTemplate(node.template, path, run);
      case 'array':
        return inOrder(
          node.items.length,
          (index) => this.#evaluateNode(node.items[index]!, [...path, index], run),
          (values) => values.map((value) => value ?? null),
        );
      case 'object':
        return inOrder(
          node.entries.length,
          (index) => {
            const [key, child] = node.entries[index]!;
            return this.#evaluateNode(child, [...path, key], run);
          },
          (values) => {
            const record: Record<string, unknown> = {};
            for (const [index, [key]] of node.entries.entries()) setField(record, key, values[index]);
            return record;
          },
        );
    }
  }

  #evaluateTemplate(template: Template, path: ValuePath, run: Run): unknown {
    const { segments } = template;
    const [first] = segments;
    if (template.isSingleExpression && first?.kind === 'expression') {
      return this.#evaluateExpression(first.source, path, run);
    }
    return inOrder(
      segments.length,
      (index) => {
        const segment = segments[index]!;
        return segment.kind === 'literal'
          ? segment.text
          : this.#evaluateExpression(segment.source, path, run);
      },
      (values) =>
        this.#checkedText(
          segments
            .map((segment, index) =>
              segment.kind === 'literal' ? segment.text : interpolationText(values[index]),
            )
            .join(''),
          template,
          path,
        ),
    );
  }

  #checkedText(text: string, template: Template, path: ValuePath): string {
    if (Buffer.byteLength(text) > this.limits.maxOutputBytes) {
      throw new SwitchyardError(
        'SY_EXPR_LIMIT',
        `The text built from "${shorten(template.raw)}"${path.length > 0 ? ` at ${formatPath(path)}` : ''} is larger than ${this.limits.maxOutputBytes} bytes (maxOutputBytes)`,
        { ...(path.length > 0 ? { path: formatPath(path) } : {}), details: { template: template.raw } },
      );
    }
    return text;
  }

  /** The simple evaluator's answer at once when it has one; JSONata's, as a promise, otherwise. */
  #evaluateExpression(source: string, path: ValuePath, run: Run): unknown {
    // Compiling (once per source) and starting the date parser thread are the engine's work, not
    // the expression's: neither is charged to its time budget.
    const started = Date.now();
    const compiled = this.#compile(source, path);
    if (compiled.simple) {
      try {
        const result = compiled.simple(run.variables.input, this.#measure);
        if (result !== UNSURE) return toJsonResult(result, this.limits.maxOutputBytes).value;
      } catch (error) {
        throw toExpressionError(error, source, path);
      }
    }
    return this.#evaluateJsonata(compiled, source, path, run, started);
  }

  async #evaluateJsonata(
    { expression, usesToMillis }: CompiledExpression,
    source: string,
    path: ValuePath,
    run: Run,
    started: number,
  ): Promise<unknown> {
    if (usesToMillis) await dateParser.ready();
    const { bindings, state } = this.#jsonataRun(run);
    state.deadline += Date.now() - started;
    try {
      const result: unknown = await expression.evaluate(run.variables.input, bindings);
      return toJsonResult(result, this.limits.maxOutputBytes).value;
    } catch (error) {
      throw toExpressionError(error, source, path);
    }
  }

  readonly #measure = (value: unknown): void => {
    this.#meter.measure(value);
  };

  #compile(source: string, path: ValuePath): CompiledExpression {
    const cached = this.#cache.get(source);
    if (cached !== undefined) return cached;
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source, {
        timeout: this.limits.timeoutMs,
        stack: this.limits.maxDepth,
        sequence: this.limits.maxSequence,
        // JSONata only ever calls it with `new`, which LinearRegExp supports.
        RegexEngine: LinearRegExp as unknown as RegExpConstructor,
      });
      const scan = scanExpression(expression.ast());
      // Refuse a regex the linear engine cannot run now, not only when a branch reaches it.
      for (const regex of scan.regexes) new LinearRegExp(regex);
      // JSONata types binding names as strings, but looks its hooks up by symbol.
      expression.assign(EXIT_HOOK as unknown as string, exitHook);
      for (const { name, implementation, signature } of this.#functions) {
        expression.registerFunction(name, implementation, signature);
      }
      const compiled = {
        expression,
        usesToMillis: scan.variables.has('toMillis'),
        simple: simpleEvaluator(expression.ast()),
      };
      this.#cache.set(source, compiled);
      return compiled;
    } catch (error) {
      throw toCompileError(error, source, path);
    }
  }
}

/** A field of an evaluated object: none for `undefined`; `__proto__` as a field, never the prototype. */
function setField(record: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return;
  if (key === '__proto__')
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/**
 * `count` steps run in order and their values handed to `done`: synchronously while every step
 * answers synchronously, as a promise from the first step that answers with one.
 */
function inOrder(
  count: number,
  step: (index: number) => unknown,
  done: (values: unknown[]) => unknown,
): unknown {
  const values: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const value = step(index);
    if (value instanceof Promise) return rest(value, index);
    values.push(value);
  }
  return done(values);

  async function rest(pending: Promise<unknown>, from: number): Promise<unknown> {
    values.push(await pending);
    for (let index = from + 1; index < count; index++) values.push(await step(index));
    return done(values);
  }
}
