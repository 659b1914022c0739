/**
 * @module The commonest expressions evaluated without JSONata's machinery: a field path over the
 * context (`body.total`), a literal, a comparison of two such (`total > 100`) and an object of them
 * (`{ "total": total, "big": true }`). JSONata evaluates even these through sequences, frames, an
 * exit hook per step and a promise per step — most of a small workflow's expression time and a
 * fifth of what an execution allocates.
 *
 * Same meaning, exactly: each form follows JSONata 2's own code for it (lookup, evaluatePath,
 * evaluateEqualityExpression, evaluateComparisonExpression, evaluateGroupExpression), and wherever
 * JSONata's sequence rules or an error would come into play — an array met on a path, an operand
 * that is not a string or number, a duplicate key — the evaluator answers `UNSURE` and JSONata
 * evaluates the expression instead. The property test checks the two against each other.
 */
import { measureBuilt } from './guard.ts';

/** The answer for "not in my subset for this data": evaluate with JSONata. */
export const UNSURE: unique symbol = Symbol('unsure');

/** Measures a value a step built or found, as JSONata's exit hook does (it may throw SY_EXPR_LIMIT). */
export type Measure = (value: unknown) => void;

export type SimpleEvaluator = (context: unknown, measure: Measure) => unknown;

interface AstNode {
  readonly type: string;
  readonly value?: unknown;
  readonly steps?: readonly AstNode[];
  readonly lhs?: unknown;
  readonly rhs?: unknown;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=']);
/** Keys JSONata's object constructor refuses (error D1013). */
const RESERVED_KEYS = new Set(['_jsonata_lambda', '_jsonata_function']);

/** An evaluator for an expression's AST, or undefined when it is outside the subset. */
export function simpleEvaluator(ast: unknown): SimpleEvaluator | undefined {
  const node = ast as AstNode;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
      return onlyKeys(node, LITERAL_KEYS) ? literal(node.value) : undefined;
    case 'path':
      return pathOf(node);
    case 'binary':
      return binaryOf(node);
    case 'unary':
      return node.value === '{' && onlyKeys(node, UNARY_KEYS) ? objectOf(node) : undefined;
    default:
      return undefined;
  }
}

const LITERAL_KEYS = new Set(['type', 'value', 'position']);
const PATH_KEYS = new Set(['type', 'steps']);
const BINARY_KEYS = new Set(['type', 'value', 'position', 'lhs', 'rhs']);
const UNARY_KEYS = new Set(['type', 'value', 'position', 'lhs']);

function onlyKeys(node: object, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(node)) if (!allowed.has(key)) return false;
  return true;
}

function literal(value: unknown): SimpleEvaluator {
  return () => value;
}

/** Field names only: no predicates, wildcards, variables, focus or array flags. */
function pathOf(node: AstNode): SimpleEvaluator | undefined {
  if (!onlyKeys(node, PATH_KEYS) || !node.steps || node.steps.length === 0) return undefined;
  const names: string[] = [];
  for (const step of node.steps) {
    if (step.type !== 'name' || typeof step.value !== 'string' || !onlyKeys(step, LITERAL_KEYS))
      return undefined;
    names.push(step.value);
  }
  return (context, measure) => {
    let current = context;
    for (const name of names) {
      // JSONata maps a path over an array and flattens what it finds: its sequence rules decide.
      if (Array.isArray(current)) return UNSURE;
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, name)) {
        return undefined;
      }
      current = (current as Record<string, unknown>)[name];
    }
    if (Array.isArray(current) || typeof current === 'function') return UNSURE;
    measureBuilt(current, measure);
    return current;
  };
}

function binaryOf(node: AstNode): SimpleEvaluator | undefined {
  const op = node.value;
  if (op !== '=' && op !== '!=' && !COMPARISONS.has(op as string)) return undefined;
  if (!onlyKeys(node, BINARY_KEYS)) return undefined;
  const left = simpleEvaluator(node.lhs);
  const right = simpleEvaluator(node.rhs);
  if (!left || !right) return undefined;
  return (context, measure) => {
    const lhs = left(context, measure);
    if (lhs === UNSURE) return UNSURE;
    const rhs = right(context, measure);
    if (rhs === UNSURE) return UNSURE;
    if (op === '=' || op === '!=') {
      // Objects compare deeply in JSONata: it says how.
      if (!isPrimitive(lhs) || !isPrimitive(rhs)) return UNSURE;
      if (lhs === undefined || rhs === undefined) return false;
      return op === '=' ? lhs === rhs : lhs !== rhs;
    }
    // Other types make a comparison throw: JSONata says how.
    if (!isComparable(lhs) || !isComparable(rhs)) return UNSURE;
    if (lhs === undefined || rhs === undefined) return undefined;
    if (typeof lhs !== typeof rhs) return UNSURE;
    const [a, b] = [lhs as string | number, rhs as string | number];
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  };
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function isComparable(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number';
}

/** `{ "key": value, … }` with literal keys, each once; evaluated over one context, not an array. */
function objectOf(node: AstNode): SimpleEvaluator | undefined {
  if (!Array.isArray(node.lhs)) return undefined;
  const pairs: [string, SimpleEvaluator][] = [];
  const keys = new Set<string>();
  for (const pair of node.lhs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [keyNode, valueNode] = pair as [AstNode, AstNode];
    if (keyNode.type !== 'string' || typeof keyNode.value !== 'string' || !onlyKeys(keyNode, LITERAL_KEYS)) {
      return undefined;
    }
    if (keys.has(keyNode.value) || RESERVED_KEYS.has(keyNode.value)) return undefined;
    keys.add(keyNode.value);
    const value = simpleEvaluator(valueNode);
    if (!value) return undefined;
    pairs.push([keyNode.value, value]);
  }
  return (context, measure) => {
    if (Array.isArray(context)) return UNSURE;
    const result: Record<string, unknown> = Object.create(null);
    for (const [key, value] of pairs) {
      const evaluated = value(context, measure);
      if (evaluated === UNSURE) return UNSURE;
      if (evaluated !== undefined) result[key] = evaluated;
    }
    measure(result);
    return result;
  };
}
