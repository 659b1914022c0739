/**
 * @module The check JSONata runs after every step of an evaluation (its `__evaluate_exit` hook):
 * the deadline of the whole `evaluate()` call and the size of every value a step produced.
 *
 * JSONata's own `timeout` option is checked when a step starts and per expression; this hook adds
 * the budget shared by all the expressions of a value, and a size bound on every intermediate value
 * (see `maxValueBytes`), which JSONata does not have.
 */
import { types } from 'node:util';
import { ExpressionFault } from './fault.ts';
import type { WeightMeter } from './value-weight.ts';

/** Bound under a name with a space, which no JSONata variable reference can spell. */
export const GUARD_BINDING = ' switchyard guard';

/** JSONata looks its hooks up by these symbols in the environment. */
export const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

export interface GuardState {
  /** `Date.now()` after which the evaluation stops. */
  deadline: number;
  readonly timeoutMs: number;
  readonly meter: WeightMeter;
}

interface HookEnvironment {
  readonly base: { lookup(name: string): unknown };
}

export function guardStateOf(environment: HookEnvironment): GuardState {
  const state = environment.base.lookup(GUARD_BINDING) as GuardState | undefined;
  // Only ExpressionEngine evaluates guarded expressions, and it always binds the state.
  if (state === undefined) throw new ExpressionFault('SY_EXPR_EVAL', 'the expression ran without its guard');
  return state;
}

export function checkDeadline(state: GuardState): void {
  if (Date.now() > state.deadline) {
    throw new ExpressionFault('SY_EXPR_TIMEOUT', `evaluation ran longer than ${state.timeoutMs} ms`);
  }
}

/**
 * Steps that can produce a value not already measured: constructors, operators, function calls and
 * paths that map (`[1..9].$big` repeats one value). A field lookup, a variable, a literal or a
 * wildcard returns values that exist already and were measured when they were made, or the
 * caller's data, which is measured only once something built from it needs its size.
 */
const BUILDING_STEPS: ReadonlySet<string> = new Set([
  'unary',
  'binary',
  'function',
  'partial',
  'apply',
  'path',
  'transform',
  'descendant',
]);

interface HookStep {
  readonly type?: unknown;
  readonly group?: unknown;
}

export function exitHook(
  step: HookStep,
  _input: unknown,
  environment: HookEnvironment,
  result: unknown,
): void {
  const state = guardStateOf(environment);
  checkDeadline(state);
  if (!BUILDING_STEPS.has(step.type as string) && step.group === undefined) return;
  measureBuilt(result, (value) => state.meter.measure(value));
}

/** Measures what a step built: strings, and objects that are not lazy views. */
export function measureBuilt(result: unknown, measure: (value: unknown) => void): void {
  if (typeof result === 'string') {
    measure(result);
  } else if (typeof result === 'object' && result !== null && !types.isProxy(result)) {
    // A proxy returned as it is is a lazy view (e.g. `$nodes`): measuring it would load all of it.
    // It is measured when it ends up inside a value that a later step builds.
    measure(result);
  }
}
