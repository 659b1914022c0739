/**
 * @module Replacements for the JSONata built-ins that could re-evaluate data or block the process
 * in one uninterruptible native call. Each checks its bounds and then delegates to JSONata's own
 * implementation, so results are JSONata's exactly. They keep JSONata's signatures (a test compares
 * them), so argument checks and context binding are unchanged.
 *
 * - `$eval` compiles a string as an expression: data (a webhook body, a model's answer) must never
 *   become code, so it is refused.
 * - `$pad` and `$join` build their whole result in one native call: the size is checked first.
 * - `$string(x, true)` indents: deep data can grow far past its own size, so the size is checked.
 * - `$match`, `$replace` and `$split` loop over matches without ever yielding to JSONata's
 *   timeout; matches are counted (at most `maxSequence`) and the deadline checked between them.
 * - `$distinct` is quadratic in JSONata; see distinct.ts.
 * - `$toMillis` with a picture runs a backtracking regex; see date-parser.ts.
 */
import { dateParser } from './date-parser.ts';
import { distinct } from './distinct.ts';
import { ExpressionFault } from './fault.ts';
import { checkDeadline, type GuardState, guardStateOf } from './guard.ts';
import type { ExpressionLimits } from './limits.ts';
import { type DelegatedName, type Focus, type NativeFunction, nativeFunctions } from './natives.ts';
import { MAX_NESTING } from './value-weight.ts';

export interface SafeFunction {
  readonly name: string;
  readonly signature: string;
  readonly implementation: NativeFunction;
}

/** Names that a caller's variables may not shadow: the replacements would be bypassed. */
export const safeFunctionNames: readonly string[] = [
  'eval',
  'pad',
  'join',
  'string',
  'match',
  'replace',
  'split',
  'distinct',
  'toMillis',
];

export function safeFunctions(limits: ExpressionLimits): readonly SafeFunction[] {
  const delegate = (name: DelegatedName, focus: Focus, args: unknown[]): Promise<unknown> =>
    nativeFunctions().then((natives) => natives[name].implementation.apply(focus, args));
  const tooLarge = (what: string): ExpressionFault =>
    new ExpressionFault('SY_EXPR_LIMIT', `${what} would be longer than ${limits.maxValueBytes} characters`);

  return [
    {
      name: 'eval',
      signature: '<sx?:x>',
      implementation: () => {
        throw new ExpressionFault(
          'SY_EXPR_FORBIDDEN',
          '$eval is disabled: values are data and are never evaluated as expressions',
        );
      },
    },
    {
      name: 'pad',
      signature: '<s-ns?:s>',
      implementation(...args) {
        const [text, width, fill] = args;
        if (typeof text === 'string' && typeof width === 'number' && Number.isFinite(width)) {
          const fillLength = typeof fill === 'string' && fill.length > 0 ? fill.length : 1;
          if ((Math.abs(Math.trunc(width)) - text.length) * fillLength > limits.maxValueBytes) {
            throw tooLarge('the padded string');
          }
        }
        return delegate('pad', this, args);
      },
    },
    {
      name: 'join',
      signature: '<a<s>s?:s>',
      implementation(...args) {
        const [parts, separator] = args;
        if (Array.isArray(parts)) {
          let length = typeof separator === 'string' ? separator.length * (parts.length - 1) : 0;
          for (const part of parts) length += typeof part === 'string' ? part.length : 0;
          if (length > limits.maxValueBytes) throw tooLarge('the joined string');
        }
        return delegate('join', this, args);
      },
    },
    {
      name: 'string',
      signature: '<x-b?:s>',
      implementation(...args) {
        const [value, prettify] = args;
        if (prettify === true && prettyLength(value, 0, limits.maxValueBytes) > limits.maxValueBytes) {
          throw tooLarge('the indented JSON');
        }
        return delegate('string', this, args);
      },
    },
    {
      name: 'match',
      signature: '<s-f<s:o>n?:a<o>>',
      implementation(...args) {
        return delegate('match', this, withBoundedMatcher(args, guardOf(this), limits.maxSequence));
      },
    },
    {
      name: 'replace',
      signature: '<s-(sf)(sf)n?:s>',
      implementation(...args) {
        const [text, pattern, , limit] = args;
        if (typeof text === 'string' && typeof pattern === 'string' && pattern !== '') {
          checkOccurrences(text, pattern, limit, limits.maxSequence, 'replacements');
        }
        return delegate('replace', this, withBoundedMatcher(args, guardOf(this), limits.maxSequence));
      },
    },
    {
      name: 'split',
      signature: '<s-(sf)n?:a<s>>',
      implementation(...args) {
        const [text, separator, limit] = args;
        if (typeof text === 'string' && typeof separator === 'string') {
          // Pieces are one more than separators; every character is a piece for "".
          const pieces = typeof limit === 'number' ? Math.min(text.length, limit) : text.length;
          if (separator === '' && pieces > limits.maxSequence) {
            throw tooManyMatches(limits.maxSequence, 'pieces');
          }
          if (separator !== '') checkOccurrences(text, separator, limit, limits.maxSequence - 1, 'pieces');
        }
        return delegate('split', this, withBoundedMatcher(args, guardOf(this), limits.maxSequence));
      },
    },
    {
      name: 'distinct',
      signature: '<x:x>',
      implementation: distinct,
    },
    {
      name: 'toMillis',
      signature: '<s-s?:n>',
      async implementation(...args) {
        const [timestamp, picture] = args;
        if (typeof timestamp !== 'string' || typeof picture !== 'string')
          return delegate('toMillis', this, args);
        const state = guardOf(this);
        // Starting the worker is not the expression's fault: its time is not charged.
        const started = Date.now();
        await dateParser.ready();
        state.deadline += Date.now() - started;
        return dateParser.parse(timestamp, picture, state.deadline);
      },
    },
  ];
}

function guardOf(focus: Focus): GuardState {
  return guardStateOf(focus.environment as unknown as Parameters<typeof guardStateOf>[0]);
}

type Matcher = (this: unknown, text: string) => unknown;

interface MatchResult {
  readonly next?: unknown;
}

/**
 * Wraps a regex (JSONata hands it over as a matcher function whose results chain through `next`)
 * so that every match is counted and checks the deadline.
 */
function withBoundedMatcher(args: unknown[], state: GuardState, maxMatches: number): unknown[] {
  const pattern = args[1];
  if (typeof pattern !== 'function') return args;
  let matches = 0;
  const bound = (result: unknown): unknown => {
    if (typeof result !== 'object' || result === null) return result;
    matches++;
    if (matches > maxMatches) throw tooManyMatches(maxMatches, 'matches');
    checkDeadline(state);
    const next = (result as MatchResult).next;
    if (typeof next !== 'function') return result;
    return { ...result, next: async () => bound(await (next as () => unknown)()) };
  };
  const matcher = pattern as Matcher;
  const boundedMatcher = async function (this: unknown, text: string): Promise<unknown> {
    return bound(await matcher.call(this, text));
  };
  const copy = [...args];
  copy[1] = boundedMatcher;
  return copy;
}

/** Counts a plain-string pattern's occurrences, stopping as soon as there are too many. */
function checkOccurrences(
  text: string,
  pattern: string,
  limit: unknown,
  maxCount: number,
  what: 'replacements' | 'pieces',
): void {
  if (typeof limit === 'number' && limit <= maxCount) return;
  if (text.length / pattern.length <= maxCount) return;
  let count = 0;
  for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + pattern.length)) {
    count++;
    if (count > maxCount) throw tooManyMatches(maxCount, what);
  }
}

function tooManyMatches(max: number, what: string): ExpressionFault {
  return new ExpressionFault('SY_EXPR_LIMIT', `more than ${max} ${what} (maxSequence)`);
}

/** Length of `JSON.stringify(value, null, 2)`, give or take; stops counting once past `limit`. */
function prettyLength(value: unknown, depth: number, limit: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 8;
  if (depth > MAX_NESTING) {
    throw new ExpressionFault('SY_EXPR_LIMIT', `a value is nested deeper than ${MAX_NESTING} levels`);
  }
  const indent = 2 * (depth + 1) + 2;
  let total = 2 + indent;
  const children = Array.isArray(value)
    ? value.map((item) => ['', item] as const)
    : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]] as const);
  for (const [key, child] of children) {
    total += indent + key.length + 4 + prettyLength(child, depth + 1, limit - total);
    if (total > limit) return total;
  }
  return total;
}
