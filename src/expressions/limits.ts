/** @module The bounds every expression evaluation runs within, and their defaults. */

export interface ExpressionLimits {
  /** Wall-clock budget of one `evaluate()` call, across all the expressions of the value. */
  readonly timeoutMs: number;
  /** Deepest JSONata evaluation stack (nested calls and sub-expressions). */
  readonly maxDepth: number;
  /** Longest sequence an expression may build. */
  readonly maxSequence: number;
  /** Largest result of one expression, in JSON bytes (UTF-8, escapes not counted). */
  readonly maxOutputBytes: number;
  /**
   * Largest value an expression may build or read while it runs, in approximate JSON bytes.
   * Several JSONata operations (`=`, `&` on objects, `$string`) walk a value in one synchronous
   * step that no timeout can interrupt; this bound caps that step, and it stops values that share
   * sub-values from growing exponentially (`$a := {"l": $a, "r": $a}` repeated).
   */
  readonly maxValueBytes: number;
}

export const defaultExpressionLimits: ExpressionLimits = Object.freeze({
  timeoutMs: 250,
  maxDepth: 200,
  maxSequence: 100_000,
  maxOutputBytes: 1_048_576,
  maxValueBytes: 8 * 1_048_576,
});

export function resolveLimits(overrides: Partial<ExpressionLimits> = {}): ExpressionLimits {
  const limits = { ...defaultExpressionLimits, ...withoutUndefined(overrides) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`expression limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return Object.freeze(limits);
}

function withoutUndefined(overrides: Partial<ExpressionLimits>): Partial<ExpressionLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
