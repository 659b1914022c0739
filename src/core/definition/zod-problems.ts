/** @module Turns Zod issues into validation problems with file paths and readable messages. */
import type { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.ts';
import { type PathSegment, type Problem, problem } from '../problems.ts';

export function zodProblems(
  error: z.ZodError,
  base: readonly PathSegment[],
  code: ErrorCode,
  keep: (path: readonly PathSegment[]) => boolean = () => true,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...issue.path.filter(isSegment)];
    if (!keep(path)) continue;
    problems.push(...issueProblems(issue, path, code));
  }
  return problems;
}

function issueProblems(issue: z.core.$ZodIssue, path: PathSegment[], code: ErrorCode): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      problem(
        code,
        [...path, key],
        `unknown field "${key}"`,
        'Remove it or check its spelling; unknown fields are refused.',
      ),
    );
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest: the one with the fewest issues is the likely intent.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
    if (best && best.length > 0)
      return best.flatMap((inner) => issueProblems(inner, [...path, ...inner.path.filter(isSegment)], code));
  }
  return [problem(code, path, issue.message)];
}

function isSegment(key: PropertyKey): key is PathSegment {
  return typeof key === 'string' || typeof key === 'number';
}
