/**
 * @module A failure raised inside an evaluation (by a guard or a safe function). It carries only a
 * code and a reason; the engine turns it into a SwitchyardError that names the expression.
 */
import type { ErrorCode } from '../errors/codes.ts';

export type FaultCode = Extract<
  ErrorCode,
  'SY_EXPR_EVAL' | 'SY_EXPR_TIMEOUT' | 'SY_EXPR_LIMIT' | 'SY_EXPR_FORBIDDEN'
>;

export class ExpressionFault extends Error {
  readonly code: FaultCode;
  readonly hint: string | undefined;

  constructor(code: FaultCode, reason: string, hint?: string) {
    super(reason);
    this.name = 'ExpressionFault';
    this.code = code;
    this.hint = hint;
  }
}
