/** @module A mistake on the command line: printed with its code and exit status 64, never a stack trace. */
import type { ErrorCode } from '../errors/codes.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';

export class UsageError extends SwitchyardError {
  constructor(message: string, code: ErrorCode = 'SY_CLI_USAGE') {
    super(code, message);
  }
}
