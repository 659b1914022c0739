/** @module Validation problems for a terminal: `file:line:col  CODE  path  message`, then the hint. */
import pc from 'picocolors';
import type { LocatedProblem } from '../../workflow-file/load.ts';

export function formatProblems(file: string, problems: readonly LocatedProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
    const tag = p.severity === 'error' ? pc.red('error') : pc.yellow('warning');
    const path = p.path === '' ? '' : ` ${pc.bold(p.path)}`;
    return `${pc.dim(where)} ${tag} ${pc.cyan(p.code)}${path}: ${p.message}\n    ${pc.dim(`hint: ${p.hint}`)}`;
  });
  const errors = problems.filter((p) => p.severity === 'error').length;
  const summary =
    errors === 0 ? pc.green(`${file}: valid`) : pc.red(`${file}: ${errors} error${errors === 1 ? '' : 's'}`);
  return [...lines, summary].join('\n');
}
