/**
 * @module Validation problems: what is wrong, where (a path such as `nodes[3].params.url`), a
 * stable code and a hint. Validation collects every problem instead of stopping at the first.
 */
import { type ErrorCode, errorInfo } from '../errors/codes.ts';

export type PathSegment = string | number;

export interface Problem {
  readonly code: ErrorCode;
  readonly severity: 'error' | 'warning';
  /** Dotted path into the workflow file, e.g. `nodes[3].params.url`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

export function formatPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

export function problem(
  code: ErrorCode,
  path: readonly PathSegment[],
  message: string,
  hint: string = errorInfo(code).hint,
  severity: Problem['severity'] = 'error',
): Problem {
  return { code, severity, path: formatPath(path), message, hint };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
